package dev.postwerk.api.mail;

import java.util.Objects;
import java.util.Optional;

/**
 * What IMAP FETCH needs to know of a message without reading it again: its ENVELOPE fields and
 * its MIME tree with byte offsets (BODYSTRUCTURE, {@code BODY[section]}). Made by a
 * {@link MessageParser}; immutable, and the same for as long as the message exists, so stores
 * cache it.
 *
 * @param envelope the header fields of the ENVELOPE
 * @param body the message as a MIME entity: {@code headerStart} is where the message starts (0
 *        for a whole message), {@code bodyStart} is after the empty line that ends its header,
 *        {@code end} is its size
 */
public record MessageStructure(EnvelopeFields envelope, BodyPart body) {

    public MessageStructure {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(body, "body");
    }

    /**
     * The entity an IMAP section part number names (RFC 3501 §6.4.5, RFC 9051 §6.4.5):
     * {@code part(1, 2)} is section {@code 1.2}. A message that is not multipart has only part 1,
     * its body; the parts of a {@code message/rfc822} part are those of the embedded message's
     * body. No numbers name the message itself.
     *
     * @return the entity, or empty when the message has no such part
     */
    public Optional<BodyPart> part(int... path) {
        BodyPart current = body;
        for (int i = 0; i < path.length; i++) {
            BodyPart container = current;
            if (i > 0 && container.message().isPresent()) {
                container = container.message().get().body();
            }
            int n = path[i];
            if (container.isMultipart()) {
                if (n < 1 || n > container.parts().size()) {
                    return Optional.empty();
                }
                current = container.parts().get(n - 1);
            } else if (n == 1) {
                current = container;
            } else {
                return Optional.empty();
            }
        }
        return Optional.of(current);
    }
}
