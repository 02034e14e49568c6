package dev.postwerk.api.mail;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One envelope recipient with its DSN parameters (RFC 3461 §4): when to notify, and the original
 * recipient ({@code ORCPT}) as the client gave it, kept for delivery status notifications.
 *
 * @param address the forward-path
 * @param notifyOn the NOTIFY parameter; empty means the client gave none (the server default applies)
 * @param originalRecipient the ORCPT parameter, decoded ({@code rfc822;user@example.com})
 */
public record Recipient(MailAddress address, Set<DsnNotify> notifyOn, Optional<String> originalRecipient) {

    public Recipient {
        Objects.requireNonNull(address, "address");
        notifyOn = Set.copyOf(notifyOn);
        Objects.requireNonNull(originalRecipient, "originalRecipient");
        if (notifyOn.contains(DsnNotify.NEVER) && notifyOn.size() > 1) {
            throw new IllegalArgumentException("NOTIFY=NEVER cannot be combined with other values");
        }
    }

    /** A recipient without DSN parameters. */
    public static Recipient of(MailAddress address) {
        return new Recipient(address, Set.of(), Optional.empty());
    }

    /** RFC 3461 §4.1 NOTIFY values. */
    public enum DsnNotify {
        NEVER, SUCCESS, FAILURE, DELAY
    }
}
