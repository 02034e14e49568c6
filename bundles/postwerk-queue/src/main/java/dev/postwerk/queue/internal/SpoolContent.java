package dev.postwerk.queue.internal;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import dev.postwerk.api.mail.MessageContent;

/**
 * A spooled message as delivery hands it on: a few header lines prepended in memory
 * ({@code Return-Path:}, fields added by filters) followed by the spooled message streamed from disk,
 * optionally without some header fields. The body is never loaded into memory.
 */
final class SpoolContent implements MessageContent {

    /** Octets {@code [start, end)} of the spooled message left out. */
    record Range(long start, long end) {
    }

    /** The header section is scanned at most this far when fields are to be removed. */
    private static final int MAX_HEADER_SCAN = 1 << 20;

    private final byte[] prefix;
    private final Source file;
    private final long fileSize;
    private final List<Range> skip;
    private final long size;

    /** Opens the spooled octets from offset 0 (a file, a journal slice, or memory while receiving). */
    @FunctionalInterface
    interface Source {
        InputStream open() throws IOException;
    }

    private SpoolContent(byte[] prefix, Source file, long fileSize, List<Range> skip) {
        this.prefix = prefix;
        this.file = file;
        this.fileSize = fileSize;
        this.skip = List.copyOf(skip);
        long skipped = 0;
        for (Range r : skip) {
            skipped += r.end() - r.start();
        }
        this.size = prefix.length + fileSize - skipped;
    }

    static SpoolContent of(Path file, long fileSize) {
        return of(() -> Files.newInputStream(file), fileSize);
    }

    static SpoolContent of(Source file, long fileSize) {
        return new SpoolContent(new byte[0], file, fileSize, List.of());
    }

    /** This message with {@code headerLines} (each ending CRLF) on top and {@code removeFields} left out. */
    SpoolContent with(String headerLines, Set<String> removeFields) throws IOException {
        List<Range> ranges = removeFields.isEmpty() ? List.of() : fieldRanges(file, removeFields);
        return new SpoolContent(headerLines.getBytes(StandardCharsets.UTF_8), file, fileSize, ranges);
    }

    /** Octets of the spooled message itself (the part every delivered copy ends with). */
    long fileSize() {
        return fileSize;
    }


    @Override
    public long size() {
        return size;
    }

    @Override
    public InputStream openStream() throws IOException {
        // limited: written() hands out the file while the session may still append to it. The
        // buffer is no larger than the message: a 4 KiB message inline in the journal was read
        // 64 KiB at a time (the journal goes on past it), into a fresh 64 KiB array per delivery.
        int buffer = (int) Math.max(512, Math.min(1 << 16, fileSize));
        InputStream body = new LimitedStream(new BufferedInputStream(file.open(), buffer), fileSize);
        if (!skip.isEmpty()) {
            body = new SkippingStream(body, skip);
        }
        return prefix.length == 0 ? body : new SequenceInputStream(new ByteArrayInputStream(prefix), body);
    }

    /**
     * Where the header fields named in {@code names} are (each field with its folded continuation
     * lines, RFC 5322 §2.2.3), scanning only the header section.
     */
    static List<Range> fieldRanges(Source file, Set<String> names) throws IOException {
        Set<String> lower = new TreeSet<>();
        for (String n : names) {
            lower.add(n.toLowerCase(Locale.ROOT));
        }
        List<Range> ranges = new ArrayList<>();
        try (InputStream in = new BufferedInputStream(file.open(), 1 << 14)) {
            long pos = 0;
            long fieldStart = -1;
            boolean removing = false;
            ByteArrayOutputStream line = new ByteArrayOutputStream(128);
            while (pos < MAX_HEADER_SCAN) {
                line.reset();
                long lineStart = pos;
                int c;
                while ((c = in.read()) >= 0) {
                    pos++;
                    line.write(c);
                    if (c == '\n') {
                        break;
                    }
                }
                byte[] l = line.toByteArray();
                boolean end = l.length == 0 || (l.length <= 2 && (l[0] == '\r' || l[0] == '\n'));
                boolean continuation = !end && (l[0] == ' ' || l[0] == '\t');
                if (!continuation) {
                    if (removing) {
                        ranges.add(new Range(fieldStart, lineStart));
                    }
                    removing = false;
                    if (end) {
                        break;
                    }
                    String text = new String(l, StandardCharsets.ISO_8859_1);
                    int colon = text.indexOf(':');
                    if (colon > 0 && lower.contains(text.substring(0, colon).strip().toLowerCase(Locale.ROOT))) {
                        removing = true;
                        fieldStart = lineStart;
                    }
                }
                if (c < 0) {
                    if (removing) {
                        ranges.add(new Range(fieldStart, pos));
                    }
                    break;
                }
            }
        }
        return ranges;
    }

    /** At most {@code limit} octets of the underlying stream. */
    private static final class LimitedStream extends FilterInputStream {
        private long left;

        LimitedStream(InputStream in, long limit) {
            super(in);
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int c = in.read();
            if (c >= 0) {
                left--;
            }
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return len == 0 ? 0 : -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = in.skip(Math.min(n, left));
            left -= s;
            return s;
        }

        @Override
        public int available() throws IOException {
            return (int) Math.min(in.available(), left);
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }

    /** Leaves out the given ranges of the underlying stream (which starts at offset 0). */
    private static final class SkippingStream extends FilterInputStream {
        private final List<Range> ranges;
        private int next;
        private long pos;

        SkippingStream(InputStream in, List<Range> ranges) {
            super(in);
            this.ranges = ranges;
        }

        private void skipRanges() throws IOException {
            while (next < ranges.size() && pos >= ranges.get(next).start()) {
                long end = ranges.get(next).end();
                while (pos < end) {
                    long n = in.skip(end - pos);
                    if (n <= 0) {
                        if (in.read() < 0) {
                            pos = end;
                            break;
                        }
                        n = 1;
                    }
                    pos += n;
                }
                next++;
            }
        }

        @Override
        public int read() throws IOException {
            skipRanges();
            int c = in.read();
            if (c >= 0) {
                pos++;
            }
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            skipRanges();
            if (len == 0) {
                return 0;
            }
            long limit = next < ranges.size() ? ranges.get(next).start() - pos : Long.MAX_VALUE;
            int n = in.read(b, off, (int) Math.min(len, limit));
            if (n > 0) {
                pos += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long done = 0;
            byte[] buf = new byte[8192];
            while (done < n) {
                int r = read(buf, 0, (int) Math.min(buf.length, n - done));
                if (r < 0) {
                    break;
                }
                done += r;
            }
            return done;
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
