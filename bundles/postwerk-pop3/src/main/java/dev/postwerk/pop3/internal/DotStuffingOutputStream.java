package dev.postwerk.pop3.internal;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes message content as the body of a POP3 multi-line response (RFC 1939 §3): a line that
 * starts with "." gets another "." in front, and {@link #finish()} ends the response with
 * ".CRLF". Octets pass through otherwise unchanged, so what the client un-stuffs is byte for
 * byte what was stored.
 *
 * <p>A line starts after every LF, also a bare LF: stored mail has CRLF line ends, but if a bare
 * LF slipped in, a client that ends lines at LF (most do) must not take the following "." for
 * the end of the response. Content that does not end with CRLF gets one before the terminating
 * line, which RFC 1939 requires; clients drop it with the terminator.
 */
final class DotStuffingOutputStream extends FilterOutputStream {

    private static final byte[] TERMINATOR = {'.', '\r', '\n'};
    private static final byte[] CRLF = {'\r', '\n'};

    private boolean lineStart = true;
    private int last = -1;
    private int beforeLast = -1;
    private boolean finished;

    DotStuffingOutputStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        if (lineStart && b == '.') {
            out.write('.');
        }
        out.write(b);
        remember(b & 0xff);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        int end = off + len;
        int start = off;
        for (int i = off; i < end; i++) {
            if (lineStart && b[i] == '.') {
                out.write(b, start, i - start);
                out.write('.');
                start = i; // the original dot goes out with the next run
            }
            lineStart = b[i] == '\n';
        }
        out.write(b, start, end - start);
        if (len >= 2) {
            beforeLast = b[end - 2] & 0xff;
            last = b[end - 1] & 0xff;
        } else if (len == 1) {
            beforeLast = last;
            last = b[off] & 0xff;
        }
    }

    private void remember(int b) {
        lineStart = b == '\n';
        beforeLast = last;
        last = b;
    }

    /** Completes the last line if needed and writes the terminating ".CRLF"; does not close the stream. */
    void finish() throws IOException {
        if (finished) {
            return;
        }
        finished = true;
        if (last != -1 && !(beforeLast == '\r' && last == '\n')) {
            if (last == '\r') {
                out.write('\n');
            } else {
                out.write(CRLF);
            }
        }
        out.write(TERMINATOR);
    }

    /** Finishes the response and closes the underlying stream (the connection's output stays open). */
    @Override
    public void close() throws IOException {
        try {
            finish();
        } finally {
            out.close();
        }
    }
}
