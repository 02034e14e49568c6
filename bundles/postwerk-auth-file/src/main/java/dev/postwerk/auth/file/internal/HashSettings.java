package dev.postwerk.auth.file.internal;

/**
 * Cost parameters for new password hashes and SCRAM keys.
 *
 * @param scheme the scheme new hashes use
 * @param argon2MemoryKib Argon2id memory in KiB
 * @param argon2Iterations Argon2id passes
 * @param argon2Parallelism Argon2id lanes
 * @param bcryptCost bcrypt's log2 rounds
 * @param scramIterations PBKDF2 iterations of the stored SCRAM-SHA-256 keys
 */
record HashSettings(PasswordScheme scheme, int argon2MemoryKib, int argon2Iterations, int argon2Parallelism,
        int bcryptCost, int scramIterations) {

    /**
     * OWASP's Argon2id floor (19 MiB, 2 passes, 1 lane): tens of milliseconds per check in pure
     * Java, so a worker pool still serves bursts of logins. RFC 7677 §4 asks at least 4096 SCRAM
     * iterations; more, because the stored keys are as exposed as the hash if the file leaks.
     */
    static final HashSettings DEFAULT = new HashSettings(PasswordScheme.ARGON2ID, 19456, 2, 1, 10, 10000);

    HashSettings {
        if (argon2MemoryKib < 8 * argon2Parallelism || argon2Iterations < 1 || argon2Parallelism < 1) {
            throw new IllegalArgumentException("invalid Argon2 parameters");
        }
        if (bcryptCost < 4 || bcryptCost > 31) {
            throw new IllegalArgumentException("bcrypt cost must be 4..31");
        }
        if (scramIterations < 4096) {
            throw new IllegalArgumentException("SCRAM iterations must be at least 4096 (RFC 7677 §4)");
        }
        if (!scheme.canHash()) {
            throw new IllegalArgumentException(scheme.prefix() + " is for verification only");
        }
    }
}
