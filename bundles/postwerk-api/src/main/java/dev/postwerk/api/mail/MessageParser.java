package dev.postwerk.api.mail;

import java.io.IOException;
import java.io.InputStream;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Reads a message's ENVELOPE fields and MIME structure with byte offsets, as IMAP FETCH needs
 * them. Registered as an OSGi service by {@code postwerk-mime}; stores use it (dynamic, optional)
 * to fill their structure caches, and answer {@code UNAVAILABLE} while it is away.
 *
 * <p>Implementations stream: they never hold the whole message in memory. They never fail on
 * malformed mail: whatever they cannot make sense of is described as {@code text/plain} (as
 * Dovecot does), and nesting and part counts beyond configured limits are not descended into.
 * Safe for concurrent use.
 */
@ProviderType
public interface MessageParser {

    /**
     * Parses one raw message (RFC 5322, MIME), read to its end; the caller closes the stream.
     *
     * @throws IOException only when reading the stream fails, never for malformed content
     */
    MessageStructure parse(InputStream raw) throws IOException;

    /** Parses stored or spooled content, opening and closing a stream over it. */
    default MessageStructure parse(MessageContent content) throws IOException {
        try (InputStream in = content.openStream()) {
            return parse(in);
        }
    }
}
