package dev.postwerk.pop3.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The part of a message TOP sends (RFC 1939 §7): the header, the empty line that ends it, and
 * the first {@code bodyLines} lines of the body; then end of stream, without reading further.
 * A message without an empty line is all header and comes whole, as does a body shorter than
 * asked. As in {@link DotStuffingOutputStream}, a line ends at LF.
 */
final class TopInputStream extends FilterInputStream {

    private final long bodyLines;
    private boolean inHeader = true;
    private long bodyLinesSeen;
    /** Octets of the current line before its LF. */
    private long lineLength;
    private int previous = -1;
    private boolean done;

    TopInputStream(InputStream in, long bodyLines) {
        super(in);
        this.bodyLines = bodyLines;
    }

    @Override
    public int read() throws IOException {
        if (done) {
            return -1;
        }
        int b = in.read();
        if (b != -1) {
            see(b);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int off, int len) throws IOException {
        if (done) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        int n = in.read(buffer, off, len);
        if (n <= 0) {
            return n;
        }
        for (int i = 0; i < n; i++) {
            see(buffer[off + i] & 0xff);
            if (done) {
                return i + 1; // the rest of the chunk is past the cut and never sent
            }
        }
        return n;
    }

    private void see(int b) {
        if (b != '\n') {
            lineLength++;
            previous = b;
            return;
        }
        boolean emptyLine = lineLength == 0 || (lineLength == 1 && previous == '\r');
        lineLength = 0;
        previous = b;
        if (inHeader) {
            if (emptyLine) {
                inHeader = false;
                done = bodyLines == 0;
            }
        } else if (++bodyLinesSeen >= bodyLines) {
            done = true;
        }
    }

    @Override
    public long skip(long n) throws IOException {
        throw new IOException("skip is not supported");
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
