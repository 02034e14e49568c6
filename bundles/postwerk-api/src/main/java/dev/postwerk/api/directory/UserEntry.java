package dev.postwerk.api.directory;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * A user as an administrator edits it (no password: that is set on its own).
 *
 * @param name the login, {@code local@domain}, as written by the administrator
 * @param master true when the user may act for others (SASL authorization identity)
 * @param disabled true when the user may not log in (mail is still delivered)
 * @param storageQuota octet limit; empty for the store's default
 * @param messageQuota message count limit; empty for the store's default
 * @param passwordScheme the stored hash's scheme, e.g. {@code ARGON2ID}; empty string when none is set
 */
public record UserEntry(String name, boolean master, boolean disabled, OptionalLong storageQuota,
        OptionalLong messageQuota, String passwordScheme) {

    public UserEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(storageQuota, "storageQuota");
        Objects.requireNonNull(messageQuota, "messageQuota");
        Objects.requireNonNull(passwordScheme, "passwordScheme");
    }

    /** A plain user: not master, enabled, default quotas. */
    public static UserEntry of(String name) {
        return new UserEntry(name, false, false, OptionalLong.empty(), OptionalLong.empty(), "");
    }
}
