package dev.postwerk.api.mail;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The header fields of an IMAP ENVELOPE (RFC 3501 §7.4.2, RFC 9051 §7.5.2), in IMAP's order.
 * Strings are the raw field values: unfolded (RFC 5322 §2.2.3), leading and trailing white space
 * removed, encoded words (RFC 2047) not decoded, 8-bit text read as UTF-8 (RFC 6532; invalid
 * sequences become U+FFFD). When a field occurs more than once, the first counts. Absent fields
 * are empty; an address field that is absent or lists nobody is an empty list (IMAP NIL).
 *
 * <p>{@link #sender} and {@link #replyTo} already hold {@link #from}'s addresses when their
 * fields are absent or empty, as RFC 3501 §7.4.2 requires of the server: IMAP sends them as they are.
 *
 * @param date the {@code Date} field, unparsed
 * @param subject the {@code Subject} field
 * @param from {@code From}
 * @param sender {@code Sender}, else {@code from}
 * @param replyTo {@code Reply-To}, else {@code from}
 * @param to {@code To}
 * @param cc {@code Cc}
 * @param bcc {@code Bcc}
 * @param inReplyTo the {@code In-Reply-To} field
 * @param messageId the {@code Message-ID} field
 */
public record EnvelopeFields(Optional<String> date, Optional<String> subject, List<EnvelopeAddress> from,
        List<EnvelopeAddress> sender, List<EnvelopeAddress> replyTo, List<EnvelopeAddress> to,
        List<EnvelopeAddress> cc, List<EnvelopeAddress> bcc, Optional<String> inReplyTo, Optional<String> messageId) {

    /** A message without any of these fields. */
    public static final EnvelopeFields EMPTY = new EnvelopeFields(Optional.empty(), Optional.empty(), List.of(),
            List.of(), List.of(), List.of(), List.of(), List.of(), Optional.empty(), Optional.empty());

    public EnvelopeFields {
        Objects.requireNonNull(date, "date");
        Objects.requireNonNull(subject, "subject");
        from = List.copyOf(from);
        sender = List.copyOf(sender);
        replyTo = List.copyOf(replyTo);
        to = List.copyOf(to);
        cc = List.copyOf(cc);
        bcc = List.copyOf(bcc);
        Objects.requireNonNull(inReplyTo, "inReplyTo");
        Objects.requireNonNull(messageId, "messageId");
    }
}
