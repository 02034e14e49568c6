package dev.postwerk.auth.file.internal;

import java.util.Locale;
import java.util.Optional;

/** The password hash schemes, named by the Dovecot-style prefix of the stored string. */
enum PasswordScheme {
    ARGON2ID("ARGON2ID", true),
    BLF_CRYPT("BLF-CRYPT", true),
    /** Dovecot's default before 2.3; verified for migration, never written. */
    SHA512_CRYPT("SHA512-CRYPT", false);

    private final String name;
    private final boolean canHash;

    PasswordScheme(String name, boolean canHash) {
        this.name = name;
        this.canHash = canHash;
    }

    /** The name without braces, e.g. {@code BLF-CRYPT}. */
    String schemeName() {
        return name;
    }

    /** The prefix of stored strings, e.g. {@code {BLF-CRYPT}}. */
    String prefix() {
        return "{" + name + "}";
    }

    boolean canHash() {
        return canHash;
    }

    static Optional<PasswordScheme> byName(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT);
        for (PasswordScheme s : values()) {
            if (s.name.equals(n)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** The scheme of a stored string, by its prefix. */
    static Optional<PasswordScheme> of(String stored) {
        if (!stored.startsWith("{")) {
            return Optional.empty();
        }
        int close = stored.indexOf('}');
        return close < 0 ? Optional.empty() : byName(stored.substring(1, close));
    }
}
