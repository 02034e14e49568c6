package dev.postwerk.auth.file.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.postwerk.api.directory.ScramCredential;

/**
 * SCRAM-SHA-256 keys (RFC 5802 §3, RFC 7677) derived from a password, stored as Dovecot's
 * {@code {SCRAM-SHA-256}} does: {@code iterations,salt,storedKey,serverKey} in base64.
 */
final class ScramKeys {

    static final String HASH = "SHA-256";

    private ScramKeys() {
    }

    static ScramCredential derive(char[] password, byte[] salt, int iterations) {
        try {
            // RFC 5802 §2.2: Normalize() is SASLprep (RFC 4013); NFKC covers it for the passwords
            // people type (it is the identity on ASCII), without the prohibited-character checks.
            String normalized = Normalizer.normalize(new String(password), Normalizer.Form.NFKC);
            byte[] pw = normalized.getBytes(StandardCharsets.UTF_8);
            byte[] salted = hi(pw, salt, iterations);
            Arrays.fill(pw, (byte) 0);
            byte[] clientKey = hmac(salted, "Client Key");
            byte[] storedKey = MessageDigest.getInstance(HASH).digest(clientKey);
            byte[] serverKey = hmac(salted, "Server Key");
            return new ScramCredential(HASH, salt, iterations, storedKey, serverKey);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }

    static ScramCredential derive(char[] password, SecureRandom random, int iterations) {
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        return derive(password, salt, iterations);
    }

    static String format(ScramCredential c) {
        Base64.Encoder e = Base64.getEncoder();
        return c.iterations() + "," + e.encodeToString(c.salt()) + "," + e.encodeToString(c.storedKey()) + ","
                + e.encodeToString(c.serverKey());
    }

    static Optional<ScramCredential> parse(String text) {
        String[] p = text.split(",");
        if (p.length != 4) {
            return Optional.empty();
        }
        try {
            Base64.Decoder d = Base64.getDecoder();
            return Optional.of(new ScramCredential(HASH, d.decode(p[1]), Integer.parseInt(p[0]), d.decode(p[2]),
                    d.decode(p[3])));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Hi() of RFC 5802 §2.2: PBKDF2 with HMAC-SHA-256 and one output block. */
    private static byte[] hi(byte[] password, byte[] salt, int iterations) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        // SecretKeySpec refuses an empty key; HMAC pads keys with zeros, so one zero octet is the same key.
        mac.init(new SecretKeySpec(password.length == 0 ? new byte[1] : password, "HmacSHA256"));
        mac.update(salt);
        byte[] u = mac.doFinal(new byte[] {0, 0, 0, 1});
        byte[] result = u.clone();
        for (int i = 1; i < iterations; i++) {
            u = mac.doFinal(u);
            for (int j = 0; j < result.length; j++) {
                result[j] ^= u[j];
            }
        }
        return result;
    }

    private static byte[] hmac(byte[] key, String text) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(text.getBytes(StandardCharsets.US_ASCII));
    }
}
