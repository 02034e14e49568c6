package dev.postwerk.api.mail;

import java.util.Objects;
import java.util.Optional;

/**
 * One address of an IMAP ENVELOPE (RFC 3501 §7.4.2, RFC 9051 §7.5.2): the four members of
 * {@code address}, each absent (NIL) or a string.
 *
 * <p>Group syntax ({@code Team: a@x, b@y;}) appears as IMAP encodes it: a start marker
 * ({@link #groupStart}: mailbox is the group's name, host absent), the members, then an end marker
 * ({@link #groupEnd}: mailbox and host absent). An address without a domain has host
 * {@value #MISSING_DOMAIN} and one without a local part mailbox {@value #MISSING_MAILBOX}, as
 * Dovecot writes them, so that an absent host always means a group marker.
 *
 * @param name the display name (RFC 5322 phrase): quotes and comments removed, encoded words
 *        (RFC 2047) kept as they are, 8-bit text as UTF-8 (RFC 6532)
 * @param route the obsolete source route ({@code @a.example,@b.example}), rarely present
 * @param mailbox the local part, or the group name of a start marker
 * @param host the domain
 */
public record EnvelopeAddress(Optional<String> name, Optional<String> route, Optional<String> mailbox,
        Optional<String> host) {

    /** Host of an address whose domain is missing. */
    public static final String MISSING_DOMAIN = "MISSING_DOMAIN";
    /** Mailbox of an address whose local part is missing. */
    public static final String MISSING_MAILBOX = "MISSING_MAILBOX";

    private static final EnvelopeAddress GROUP_END = new EnvelopeAddress(Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty());

    public EnvelopeAddress {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(mailbox, "mailbox");
        Objects.requireNonNull(host, "host");
    }

    /** A plain address: {@code name <mailbox@host>}. */
    public static EnvelopeAddress of(Optional<String> name, String mailbox, String host) {
        return new EnvelopeAddress(name, Optional.empty(), Optional.of(mailbox), Optional.of(host));
    }

    /** Marks the start of a group named {@code groupName}. */
    public static EnvelopeAddress groupStart(String groupName) {
        return new EnvelopeAddress(Optional.empty(), Optional.empty(), Optional.of(groupName), Optional.empty());
    }

    /** Marks the end of a group. */
    public static EnvelopeAddress groupEnd() {
        return GROUP_END;
    }

    public boolean isGroupStart() {
        return host.isEmpty() && mailbox.isPresent();
    }

    public boolean isGroupEnd() {
        return host.isEmpty() && mailbox.isEmpty();
    }
}
