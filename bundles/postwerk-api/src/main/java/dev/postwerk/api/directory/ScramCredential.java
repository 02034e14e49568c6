package dev.postwerk.api.directory;

import java.util.Objects;

/**
 * Stored SCRAM keys of one account (RFC 5802 §3): enough to verify a client proof without the
 * password.
 *
 * @param hashName the hash, e.g. {@code SHA-256}
 * @param salt the salt
 * @param iterations the PBKDF2 iteration count
 * @param storedKey H(ClientKey)
 * @param serverKey HMAC(SaltedPassword, "Server Key")
 */
public record ScramCredential(String hashName, byte[] salt, int iterations, byte[] storedKey, byte[] serverKey) {
    public ScramCredential {
        Objects.requireNonNull(hashName, "hashName");
        salt = salt.clone();
        storedKey = storedKey.clone();
        serverKey = serverKey.clone();
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations must be positive");
        }
    }

    @Override
    public byte[] salt() {
        return salt.clone();
    }

    @Override
    public byte[] storedKey() {
        return storedKey.clone();
    }

    @Override
    public byte[] serverKey() {
        return serverKey.clone();
    }
}
