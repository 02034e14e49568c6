package dev.postwerk.transport.internal.codec;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

import dev.postwerk.api.transport.ContentSink;
import dev.postwerk.api.transport.ContentSummary;
import dev.postwerk.api.transport.InputLine;

/**
 * Frames a connection's input: CRLF lines, byte-counted blocks and dot-terminated blocks. Pure
 * Java, no sockets, so it is tested on its own. Not thread-safe: one connection's input is fed
 * from one thread at a time. A mode change made from inside a callback (a protocol that reads a
 * line and then asks for a literal) applies to the very next octet of input, so pipelined input
 * is framed correctly.
 */
public final class InputFramer {

    /** Where lines go. */
    public interface LineEvents {
        void line(InputLine line);

        void lineTooLong(long octets);
    }

    private enum Mode {
        LINE, DISCARD_LINE, OCTETS, DOT
    }

    private final LineEvents events;
    private final int maxLineLength;

    private Mode mode = Mode.LINE;

    // line mode
    private byte[] line = new byte[256];
    private int lineLength;
    private boolean lineBareCr;
    private long discarded;

    // octet and dot modes
    private ContentSink sink;
    private long remaining;
    private long octets;
    private long maxOctets;
    private boolean normalize;
    private long bareLineEnds;
    private long lineOctets;
    private long longestLine;
    private DotState dot;
    private final byte[] out = new byte[16 * 1024];
    private int outLength;

    // set by discardBuffered() to drop the rest of the buffer being fed
    private boolean discardRest;
    // hold(): input waits in `held` until release()
    // counted: a delay, a blocked output and an offload may hold at once, and the input waits
    // until each has released; hold() may come from a thread writing a reply
    private final AtomicInteger holds = new AtomicInteger();
    private ByteBuffer held;
    private long discardedBuffered;
    // a block ended while held (its last data() call held the input): end() waits for release()
    private boolean endPending;
    private boolean endPendingDotted;

    /**
     * @param maxLineLength octets allowed in one line including CRLF
     */
    public InputFramer(int maxLineLength, LineEvents events) {
        this.maxLineLength = maxLineLength;
        this.events = events;
    }

    /**
     * Consumes all of {@code in}, calling back as lines and blocks complete; while held
     * ({@link #hold()}), keeps it for {@link #release()} instead.
     */
    public void feed(ByteBuffer in) {
        if (held != null) {
            ByteBuffer joined = ByteBuffer.allocate(held.remaining() + in.remaining());
            joined.put(held).put(in).flip();
            held = null;
            in = joined;
        }
        discardRest = false;
        if (endPending && !holding()) {
            endPending = false;
            completeBlock(endPendingDotted);
        }
        while (in.hasRemaining()) {
            if (discardRest) {
                discardedBuffered += in.remaining();
                in.position(in.limit());
                break;
            }
            if (holding()) {
                held = ByteBuffer.allocate(in.remaining());
                held.put(in).flip();
                break;
            }
            switch (mode) {
                case LINE -> lineByte(in.get());
                case DISCARD_LINE -> discardByte(in.get());
                case OCTETS -> octets(in);
                case DOT -> dot(in);
                default -> throw new IllegalStateException();
            }
        }
        if (mode == Mode.DOT && !holding()) {
            flushOut();
        }
    }

    /**
     * Stops framing after the current event: further input, including the rest of the buffer
     * being fed, waits until {@link #release()}. A protocol delaying its reply uses it so that
     * pipelined commands are not answered before the delayed reply.
     */
    public void hold() {
        holds.incrementAndGet();
    }

    /** True when {@link #release()} would call back (input or a block's end waiting). */
    public boolean pendingOnRelease() {
        return held != null || endPending || (mode == Mode.DOT && outLength > 0);
    }

    private boolean holding() {
        return holds.get() > 0;
    }

    /** Ends one {@link #hold()}; once none is left, frames the input that waited. */
    public void release() {
        if (holds.updateAndGet(h -> Math.max(0, h - 1)) == 0 && pendingOnRelease()) {
            feed(ByteBuffer.allocate(0));
        }
    }

    /** The next {@code count} octets go to {@code sink}; then line mode. */
    public void readOctets(long count, ContentSink contentSink) {
        if (count < 0) {
            throw new IllegalArgumentException("negative count");
        }
        requireLineMode();
        if (count == 0) {
            contentSink.end(new ContentSummary(0, false, 0, 0));
            return;
        }
        startBlock(contentSink, Long.MAX_VALUE, false);
        this.remaining = count;
        mode = Mode.OCTETS;
    }

    /** Input up to CRLF.CRLF goes to {@code sink}, dot-unstuffed; then line mode. */
    public void readDotTerminated(long max, boolean normalizeBareLineEnds, ContentSink contentSink) {
        requireLineMode();
        startBlock(contentSink, max, normalizeBareLineEnds);
        dot = DotState.LINE_START;
        mode = Mode.DOT;
    }

    /**
     * Drops whatever input is buffered and not yet framed, including the rest of the buffer being
     * fed (STARTTLS: anything the client pipelined after the command is plaintext injection).
     *
     * @return octets dropped so far by this call and earlier ones
     */
    public long discardBuffered() {
        discardRest = true;
        if (held != null) {
            discardedBuffered += held.remaining();
            held = null;
        }
        lineLength = 0;
        lineBareCr = false;
        return discardedBuffered;
    }

    /** Octets dropped by {@link #discardBuffered()}, for logs and tests. */
    public long discardedOctets() {
        return discardedBuffered;
    }

    /** True when a partial line or block is pending (input ended mid-frame). */
    public boolean midFrame() {
        return mode != Mode.LINE || lineLength > 0 || held != null;
    }

    private void requireLineMode() {
        if (mode != Mode.LINE) {
            throw new IllegalStateException("a block read is already in progress");
        }
    }

    private void startBlock(ContentSink contentSink, long max, boolean normalizeBare) {
        this.sink = contentSink;
        this.octets = 0;
        this.maxOctets = max;
        this.normalize = normalizeBare;
        this.bareLineEnds = 0;
        this.lineOctets = 0;
        this.longestLine = 0;
        this.outLength = 0;
    }

    // ---- line mode ----

    private void lineByte(byte b) {
        if (b == '\n') {
            boolean crlf = lineLength > 0 && line[lineLength - 1] == '\r';
            int len = crlf ? lineLength - 1 : lineLength;
            InputLine input = new InputLine(Arrays.copyOf(line, len), lineBareCr || !crlf);
            lineLength = 0;
            lineBareCr = false;
            events.line(input);
            return;
        }
        if (lineLength > 0 && line[lineLength - 1] == '\r') {
            lineBareCr = true; // a CR not followed by LF
        }
        // the limit counts the line end: content + CRLF must fit, so the buffer may hold
        // max - 2 octets of content plus the CR of a CRLF still to complete
        int newLength = lineLength + 1;
        if (newLength > maxLineLength - 1 || (newLength == maxLineLength - 1 && b != '\r')) {
            discarded = newLength;
            lineLength = 0;
            lineBareCr = false;
            mode = Mode.DISCARD_LINE;
            return;
        }
        if (lineLength == line.length) {
            line = Arrays.copyOf(line, Math.min(line.length * 2, maxLineLength));
        }
        line[lineLength++] = b;
    }

    private void discardByte(byte b) {
        discarded++;
        if (b == '\n') {
            mode = Mode.LINE;
            long n = discarded;
            discarded = 0;
            events.lineTooLong(n);
        }
    }

    // ---- octet mode ----

    private void octets(ByteBuffer in) {
        int n = (int) Math.min(in.remaining(), remaining);
        ByteBuffer slice = in.slice();
        slice.limit(n);
        in.position(in.position() + n);
        remaining -= n;
        octets += n;
        sink.data(slice);
        if (remaining == 0) {
            endBlock(false);
        }
    }

    // ---- dot mode (RFC 5321 §4.5.2), CRLF.CRLF only ----

    private enum DotState {
        /** After CRLF (or at the start): a '.' here may be stuffing or the end. */
        LINE_START,
        /** Inside a line. */
        DATA,
        /** Saw CR, waiting for LF. */
        CR,
        /** Saw '.' at a line start. */
        DOT,
        /** Saw '.' CR at a line start. */
        DOT_CR
    }

    private void dot(ByteBuffer in) {
        while (in.hasRemaining() && mode == Mode.DOT && !holding()) {
            if (dot == DotState.DATA && in.hasArray()) {
                // inside a line nothing but CR and LF matters: copy the run up to the next one
                // at once (a 100 KiB message was 100,000 trips through the state machine)
                int n = plainRun(in);
                if (n > 0) {
                    emitRun(in, n);
                    continue;
                }
            }
            dotByte(in.get());
        }
    }

    /** Octets from the buffer's position up to (not including) the next CR or LF. */
    private static int plainRun(ByteBuffer in) {
        byte[] a = in.array();
        int start = in.arrayOffset() + in.position();
        int end = in.arrayOffset() + in.limit();
        int i = start;
        while (i < end && a[i] != '\r' && a[i] != '\n') {
            i++;
        }
        return i - start;
    }

    /**
     * {@link #emit} for up to {@code n} octets that are neither CR nor LF: at most what fits in
     * {@link #out}, so that the sink is called at most once here and a sink that holds the input
     * in its {@code data()} call gets no further call until {@link #release()}.
     */
    private void emitRun(ByteBuffer in, int n) {
        if (octets >= maxOctets) {
            // past the limit octets are counted, not kept (as emit() does)
            in.position(in.position() + n);
            octets += n;
            lineOctets += n;
            return;
        }
        int take = Math.min(n, out.length - outLength);
        int copy = (int) Math.min(take, maxOctets - octets);
        System.arraycopy(in.array(), in.arrayOffset() + in.position(), out, outLength, copy);
        outLength += copy;
        in.position(in.position() + take);
        octets += take;
        lineOctets += take;
        if (outLength == out.length) {
            flushOut();
        }
    }

    private void dotByte(byte b) {
        switch (dot) {
            case LINE_START -> {
                if (b == '.') {
                    dot = DotState.DOT;
                } else {
                    dataByte(b);
                }
            }
            case DATA -> dataByte(b);
            case CR -> {
                if (b == '\n') {
                    emit((byte) '\r');
                    emit((byte) '\n');
                    dot = DotState.LINE_START;
                } else {
                    bareCr();
                    dot = DotState.DATA;
                    dataByte(b);
                }
            }
            case DOT -> {
                // RFC 5321 §4.5.2: a line starting with '.' and more characters loses that '.'
                if (b == '\r') {
                    dot = DotState.DOT_CR;
                } else {
                    dot = DotState.DATA;
                    dataByte(b);
                }
            }
            case DOT_CR -> {
                if (b == '\n') {
                    endBlock(true);
                } else {
                    // ".\r" followed by something else: the dot was stuffing, the CR is bare
                    dot = DotState.CR;
                    dotByte(b);
                }
            }
            default -> throw new IllegalStateException();
        }
    }

    private void dataByte(byte b) {
        if (b == '\r') {
            dot = DotState.CR;
        } else if (b == '\n') {
            // bare LF: content, never a line end for the terminator (SMTP smuggling)
            bareLineEnds++;
            if (normalize) {
                emit((byte) '\r');
            }
            emit(b);
            dot = DotState.DATA;
        } else {
            emit(b);
            dot = DotState.DATA;
        }
    }

    private void bareCr() {
        bareLineEnds++;
        emit((byte) '\r');
        if (normalize) {
            emit((byte) '\n');
        }
    }

    private void emit(byte b) {
        octets++;
        lineOctets++;
        if (b == '\n') {
            longestLine = Math.max(longestLine, lineOctets);
            lineOctets = 0;
        }
        if (octets > maxOctets) {
            return;
        }
        out[outLength++] = b;
        if (outLength == out.length) {
            flushOut();
        }
    }

    private void flushOut() {
        if (outLength > 0) {
            ContentSink s = sink;
            int n = outLength;
            outLength = 0;
            s.data(ByteBuffer.wrap(out, 0, n));
        }
    }

    private void endBlock(boolean dotted) {
        if (dotted) {
            flushOut();
        }
        if (holding()) {
            // the last data() call held the input (the protocol handed it to another thread):
            // end() must not overtake it
            endPending = true;
            endPendingDotted = dotted;
            return;
        }
        completeBlock(dotted);
    }

    private void completeBlock(boolean dotted) {
        if (dotted) {
            longestLine = Math.max(longestLine, lineOctets);
        }
        ContentSink s = sink;
        ContentSummary summary = new ContentSummary(octets, octets > maxOctets, bareLineEnds, longestLine);
        sink = null;
        mode = Mode.LINE;
        s.end(summary);
    }
}
