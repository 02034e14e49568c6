package dev.postwerk.api.mail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The raw RFC 5322 bytes of a message (header and body, CRLF line ends, no dot-stuffing), read as
 * a stream as often as needed. Never a whole-message {@code String}: content is streamed from
 * the spool or the store.
 */
public interface MessageContent {

    /** The exact number of octets {@link #openStream()} delivers. */
    long size();

    /** A new stream over the whole message, from its first octet. The caller closes it. */
    InputStream openStream() throws IOException;

    /** Content held in a byte array: for small generated messages (bounces) and tests. */
    static MessageContent ofBytes(byte[] bytes) {
        byte[] copy = bytes.clone();
        return new MessageContent() {
            @Override
            public long size() {
                return copy.length;
            }

            @Override
            public InputStream openStream() {
                return new ByteArrayInputStream(copy);
            }
        };
    }

    /** Content of a file that does not change while it is in use. */
    static MessageContent ofFile(Path file) throws IOException {
        long size = Files.size(file);
        return new MessageContent() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public InputStream openStream() throws IOException {
                return Files.newInputStream(file);
            }
        };
    }
}
