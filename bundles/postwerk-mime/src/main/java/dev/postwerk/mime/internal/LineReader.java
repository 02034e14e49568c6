package dev.postwerk.mime.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads a message line by line, knowing the exact offset of every line and how many line feeds
 * came before it, while keeping only the first octets of each line (as many as the caller asks
 * for): a 50 MB line of base64 costs no more memory than a short one.
 *
 * <p>A line ends with LF; a CR just before it belongs to the line end, a CR elsewhere to the
 * line. The last line may have no end. One line can be given back ({@link #unread}) so that the
 * enclosing entity sees the boundary line that ended an inner one.
 */
final class LineReader {

    private final InputStream in;
    private final byte[] buf = new byte[16 * 1024];
    private int pos;
    private int limit;
    /** Offset in the message of {@code buf[0]}. */
    private long bufStart;
    private boolean eof;
    /** Line feeds read so far (of lines handed out, including a given-back one). */
    private long lineFeeds;

    // The current line.
    private long start;
    private long lfBefore;
    private long length;
    private int terminator;
    private byte[] head = new byte[256];
    private int headLength;
    private boolean given;

    // The line before the current one.
    private long previousLength;
    private int previousTerminator;

    LineReader(InputStream in) {
        this.in = in;
    }

    /**
     * Moves to the next line, keeping at most {@code keep} of its first octets.
     *
     * @return false at the end of the message
     */
    boolean next(int keep) throws IOException {
        if (given) {
            given = false;
            return true;
        }
        long lineStart = position();
        headLength = 0;
        long total = 0;
        int last = -1;
        while (true) {
            if (pos == limit && !fill()) {
                if (total == 0) {
                    return false; // the current and previous line stay as they were
                }
                length = total;
                terminator = 0;
                return true;
            }
            if (total == 0) {
                shift(lineStart);
            }
            int i = pos;
            byte[] b = buf;
            int end = limit;
            while (i < end && b[i] != '\n') {
                i++;
            }
            int n = i - pos;
            if (n > 0) {
                keep(b, pos, n, keep);
                last = b[i - 1];
                total += n;
            }
            if (i < end) {
                pos = i + 1;
                lineFeeds++;
                if (last == '\r') {
                    terminator = 2;
                    length = total - 1;
                } else {
                    terminator = 1;
                    length = total;
                }
                if (headLength > length) {
                    headLength = (int) length; // the CR was kept as content: it is the line end
                }
                return true;
            }
            pos = end;
        }
    }

    /** The current line becomes the previous one; a new one starts. Once per line, at its first octet. */
    private void shift(long lineStart) {
        previousLength = length;
        previousTerminator = terminator;
        start = lineStart;
        lfBefore = lineFeeds;
    }

    private void keep(byte[] b, int from, int n, int keep) {
        int room = keep - headLength;
        if (room <= 0) {
            return;
        }
        int copy = Math.min(room, n);
        if (headLength + copy > head.length) {
            head = Arrays.copyOf(head, Math.max(headLength + copy, Math.min(keep, head.length * 2)));
        }
        System.arraycopy(b, from, head, headLength, copy);
        headLength += copy;
    }

    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        bufStart += limit;
        pos = 0;
        limit = 0;
        int n;
        do {
            n = in.read(buf, 0, buf.length);
        } while (n == 0);
        if (n < 0) {
            eof = true;
            return false;
        }
        limit = n;
        return true;
    }

    /** The next {@link #next} returns the current line again. */
    void unread() {
        given = true;
    }

    /** Offset of the first octet not yet handed out (of a given-back line: its start). */
    long position() {
        return given ? start : bufStart + pos;
    }

    /** Line feeds before {@link #position()}. */
    long lineFeeds() {
        return given ? lfBefore : lineFeeds;
    }

    /** Whether the octet before {@link #position()} is a line feed (or there is none). */
    boolean atLineStart() {
        return given ? true : terminator != 0 || (start == 0 && length == 0);
    }

    long start() {
        return start;
    }

    long lfBefore() {
        return lfBefore;
    }

    long length() {
        return length;
    }

    int terminator() {
        return terminator;
    }

    /** The kept first octets of the line, without its end; valid until the next {@link #next}. */
    byte[] head() {
        return head;
    }

    int headLength() {
        return headLength;
    }

    /** Whether the whole line content was kept. */
    boolean complete() {
        return headLength == length;
    }

    long previousLength() {
        return previousLength;
    }

    int previousTerminator() {
        return previousTerminator;
    }
}
