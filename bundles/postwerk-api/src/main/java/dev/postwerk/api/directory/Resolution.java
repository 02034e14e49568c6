package dev.postwerk.api.directory;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import dev.postwerk.api.mail.MailAddress;

/**
 * Where mail to one address goes after aliases, catch-alls and plus-addressing are applied.
 *
 * @param local local accounts to deliver to
 * @param remote addresses outside the local domains to forward to
 */
public record Resolution(List<LocalTarget> local, List<MailAddress> remote) {

    private static final Resolution UNKNOWN = new Resolution(List.of(), List.of());

    public Resolution {
        local = List.copyOf(local);
        remote = List.copyOf(remote);
    }

    /** The address is not known: SMTP answers 550 5.1.1. */
    public static Resolution unknown() {
        return UNKNOWN;
    }

    public boolean isUnknown() {
        return local.isEmpty() && remote.isEmpty();
    }

    /**
     * One local account to deliver to.
     *
     * @param user the account
     * @param detail the plus-address tag ({@code user+tag@domain} gives {@code tag}), for filters
     */
    public record LocalTarget(Principal user, Optional<String> detail) {
        public LocalTarget {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
