package dev.postwerk.smtp.internal;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

import dev.postwerk.api.queue.SpoolWriter;

/**
 * Streams DATA or BDAT chunks into the spool as they arrive (the message is never held in
 * memory), counting the {@code Received:} fields of the header on the way for loop detection.
 * An I/O error is remembered and reported when the block ends, after the client's data was
 * consumed.
 */
final class MessageSink {

    private static final byte[] RECEIVED = "received:".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final OutputStream out;
    private IOException failure;
    private long octets;

    // header scan: position in "received:" at a line start, -1 when not matching
    private boolean inHeader = true;
    private boolean lineStart = true;
    private int match = 0;
    private int receivedCount;

    // optional line check of the whole content (BDAT, where the transport does not frame lines)
    private final boolean checkLines;
    private boolean lastWasCr;
    private long bareLineEnds;
    private long lineOctets;
    private long longestLine;

    /**
     * @param checkLines count bare CR/LF and the longest line over all of the client's content:
     *        for BDAT chunks, which the transport hands over unframed (DATA's are counted there)
     */
    MessageSink(SpoolWriter writer, boolean checkLines) {
        this.out = new BufferedOutputStream(writer.content(), 64 * 1024);
        this.checkLines = checkLines;
    }

    /** Writes text of our own (the Received: header) ahead of the client's data. */
    void writePrefix(byte[] bytes) {
        write(ByteBuffer.wrap(bytes), false);
    }

    /** The client's octets, as the transport delivers them. */
    void data(ByteBuffer chunk) {
        write(chunk, true);
    }

    private void write(ByteBuffer chunk, boolean scan) {
        if (scan && inHeader) {
            scan(chunk.duplicate());
        }
        if (scan && checkLines) {
            checkLines(chunk.duplicate());
        }
        octets += chunk.remaining();
        if (failure != null) {
            return;
        }
        try {
            if (chunk.hasArray()) {
                out.write(chunk.array(), chunk.arrayOffset() + chunk.position(), chunk.remaining());
            } else {
                byte[] copy = new byte[chunk.remaining()];
                chunk.duplicate().get(copy);
                out.write(copy);
            }
        } catch (IOException e) {
            failure = e;
        }
    }

    private void scan(ByteBuffer chunk) {
        while (chunk.hasRemaining() && inHeader) {
            int b = chunk.get() & 0xff;
            if (lineStart && (b == '\r' || b == '\n')) {
                inHeader = false; // the empty line ends the header (RFC 5322 §2.1)
                break;
            }
            if (b == '\n') {
                lineStart = true;
                match = 0;
            } else {
                if (lineStart) {
                    match = 0;
                    lineStart = false;
                }
                if (match >= 0 && match < RECEIVED.length) {
                    match = Character.toLowerCase(b) == RECEIVED[match] ? match + 1 : -1;
                    if (match == RECEIVED.length) {
                        receivedCount++;
                        match = -1;
                    }
                }
            }
        }
    }

    private void checkLines(ByteBuffer chunk) {
        while (chunk.hasRemaining()) {
            int b = chunk.get() & 0xff;
            if (lastWasCr && b != '\n') {
                bareLineEnds++; // CR not followed by LF
            }
            lineOctets++;
            if (b == '\n') {
                if (!lastWasCr) {
                    bareLineEnds++;
                }
                longestLine = Math.max(longestLine, lineOctets);
                lineOctets = 0;
            }
            lastWasCr = b == '\r';
        }
    }

    /** Bare CRs and LFs in the client's content (only with line checking). */
    long bareLineEnds() {
        return bareLineEnds + (lastWasCr ? 1 : 0);
    }

    /** Octets of the longest line, CRLF included (only with line checking). */
    long longestLine() {
        return Math.max(longestLine, lineOctets);
    }

    /** Flushes what is buffered into the spool; false (and {@link #failure()} set) on error. */
    boolean flush() {
        if (failure == null) {
            try {
                out.flush();
            } catch (IOException e) {
                failure = e;
            }
        }
        return failure == null;
    }

    IOException failure() {
        return failure;
    }

    /** Received: fields in the client's header. */
    int receivedCount() {
        return receivedCount;
    }

    /** Octets written, our prefix included. */
    long octets() {
        return octets;
    }
}
