package dev.postwerk.transport.internal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.postwerk.api.transport.ContentSink;
import dev.postwerk.api.transport.ContentSummary;
import dev.postwerk.api.transport.InputLine;

class InputFramerTest {

    /** Records what the framer delivers; lines may trigger a block read, like a protocol would. */
    static final class Recorder implements InputFramer.LineEvents {
        final List<InputLine> lines = new ArrayList<>();
        final List<Long> tooLong = new ArrayList<>();
        final List<String> events = new ArrayList<>();
        Consumer<InputLine> onLine = l -> { };

        @Override
        public void line(InputLine line) {
            lines.add(line);
            events.add("line:" + line.text() + (line.hasBareLineEnd() ? "[bare]" : ""));
            onLine.accept(line);
        }

        @Override
        public void lineTooLong(long octets) {
            tooLong.add(octets);
            events.add("toolong:" + octets);
        }
    }

    static class Block implements ContentSink {
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        ContentSummary summary;
        final List<String> events;

        Block(List<String> events) {
            this.events = events;
        }

        @Override
        public void data(ByteBuffer chunk) {
            byte[] b = new byte[chunk.remaining()];
            chunk.get(b);
            data.writeBytes(b);
        }

        @Override
        public void end(ContentSummary s) {
            summary = s;
            events.add("block:" + data.toString(StandardCharsets.ISO_8859_1));
        }

        String text() {
            return data.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static void feed(InputFramer framer, String input, boolean byteByByte) {
        byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
        if (byteByByte) {
            for (byte b : bytes) {
                framer.feed(ByteBuffer.wrap(new byte[] {b}));
            }
        } else {
            framer.feed(ByteBuffer.wrap(bytes));
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void splitsCrlfLines(boolean byteByByte) {
        Recorder r = new Recorder();
        InputFramer f = new InputFramer(100, r);
        feed(f, "HELO a\r\nNOOP\r\n\r\npartial", byteByByte);
        assertEquals(List.of("line:HELO a", "line:NOOP", "line:"), r.events);
        assertTrue(f.midFrame());
    }

    @Test
    void flagsBareLineFeedInsteadOfTreatingItAsALineEnd() {
        Recorder r = new Recorder();
        InputFramer f = new InputFramer(100, r);
        feed(f, "MAIL FROM:<a@b>\nRCPT\r\n", false);
        assertEquals(List.of("line:MAIL FROM:<a@b>[bare]", "line:RCPT"), r.events);
    }

    @Test
    void flagsBareCarriageReturnInsideALine() {
        Recorder r = new Recorder();
        InputFramer f = new InputFramer(100, r);
        feed(f, "DATA\rX\r\nOK\r\n", false);
        assertTrue(r.lines.get(0).hasBareLineEnd());
        assertEquals("DATA\rX", r.lines.get(0).text());
        assertFalse(r.lines.get(1).hasBareLineEnd());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void overLongLineIsDiscardedToItsEndAndReportedThenFramingResumes(boolean byteByByte) {
        Recorder r = new Recorder();
        InputFramer f = new InputFramer(10, r);
        // 8 octets + CRLF = 10 fits exactly; 9 + CRLF does not
        feed(f, "12345678\r\n123456789\r\nNEXT\r\n", byteByByte);
        assertEquals(List.of("line:12345678", "toolong:11", "line:NEXT"), r.events);
    }

    @Test
    void overLongLineNeverBuffersMoreThanTheLimit() {
        Recorder r = new Recorder();
        InputFramer f = new InputFramer(64, r);
        byte[] huge = new byte[5_000_000];
        java.util.Arrays.fill(huge, (byte) 'x');
        f.feed(ByteBuffer.wrap(huge));
        f.feed(ByteBuffer.wrap("\r\nOK\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(List.of("toolong:5000002", "line:OK"), r.events);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void byteCountedReadTakesExactlyTheCountThenLinesResumeEvenWhenPipelined(boolean byteByByte) {
        Recorder r = new Recorder();
        InputFramer f = new InputFramer(100, r);
        List<Block> blocks = new ArrayList<>();
        r.onLine = line -> {
            if (line.text().startsWith("BDAT ")) {
                Block b = new Block(r.events);
                blocks.add(b);
                f.readOctets(Long.parseLong(line.text().substring(5).split(" ")[0]), b);
            }
        };
        // BDAT chunks pipelined in one packet; the payload contains CRLF and a lone "."
        feed(f, "BDAT 7\r\na\r\n.\r\nxBDAT 0 LAST\r\nQUIT\r\n", byteByByte);
        assertEquals(List.of("line:BDAT 7", "block:a\r\n.\r\nx", "line:BDAT 0 LAST", "block:", "line:QUIT"), r.events);
        assertEquals(7, blocks.get(0).summary.octets());
    }

    private static Block readDot(String input, boolean normalize, long max, boolean byteByByte, Recorder r) {
        InputFramer f = new InputFramer(100, r);
        Block b = new Block(r.events);
        f.readDotTerminated(max, normalize, b);
        feed(f, input, byteByByte);
        return b;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void dotTerminatedReadUnstuffsAndEndsAtCrlfDotCrlf(boolean byteByByte) {
        Recorder r = new Recorder();
        Block b = readDot("Subject: x\r\n\r\n..leading dot\r\n.\r\nQUIT\r\n", false, 1000, byteByByte, r);
        assertEquals("Subject: x\r\n\r\n.leading dot\r\n", b.text());
        assertEquals(List.of("block:Subject: x\r\n\r\n.leading dot\r\n", "line:QUIT"), r.events);
        assertEquals(0, b.summary.bareLineEnds());
        assertEquals(b.text().length(), b.summary.octets());
    }

    @Test
    void emptyMessageEndsImmediately() {
        Recorder r = new Recorder();
        Block b = readDot(".\r\n", false, 1000, false, r);
        assertEquals("", b.text());
        assertEquals(0, b.summary.octets());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n.\n", "\r\n.\n", "\n.\r\n", "\r.\r", "\r.\r\n"})
    void smugglingTerminatorsNeverEndTheMessage(String fake) {
        Recorder r = new Recorder();
        String input = "body" + fake + "MAIL FROM:<evil@x>\r\n.\r\n";
        Block b = readDot(input, false, 10_000, false, r);
        assertEquals(1, r.events.size(), "only one block, no smuggled command: " + r.events);
        assertTrue(b.text().contains("MAIL FROM:<evil@x>"));
        assertTrue(b.summary.bareLineEnds() > 0);
    }

    @Test
    void normalizesBareLineEndsWhenAsked() {
        Recorder r = new Recorder();
        Block b = readDot("a\nb\rc\r\n.\r\n", true, 1000, false, r);
        assertEquals("a\r\nb\r\nc\r\n", b.text());
        assertEquals(2, b.summary.bareLineEnds());
    }

    @Test
    void keepsBareLineEndsAsTheyCameWhenNotNormalizing() {
        Recorder r = new Recorder();
        Block b = readDot("a\nb\rc\r\n.\r\n", false, 1000, false, r);
        assertEquals("a\nb\rc\r\n", b.text());
    }

    @Test
    void countsPastTheLimitWithoutDeliveringTheExcess() {
        Recorder r = new Recorder();
        Block b = readDot("0123456789\r\n0123456789\r\n.\r\nNOOP\r\n", false, 15, false, r);
        assertEquals(15, b.data.size());
        assertTrue(b.summary.overLimit());
        assertEquals(24, b.summary.octets());
        assertEquals("line:NOOP", r.events.get(1));
    }

    @Test
    void reportsTheLongestLine() {
        Recorder r = new Recorder();
        Block b = readDot("abc\r\n" + "x".repeat(1200) + "\r\n.\r\n", false, 10_000, false, r);
        assertEquals(1202, b.summary.longestLine());
    }

    @Test
    void largeDotBlockIsStreamedInChunks() {
        Recorder r = new Recorder();
        InputFramer f = new InputFramer(100, r);
        List<Integer> chunkSizes = new ArrayList<>();
        ContentSink sink = new ContentSink() {
            @Override
            public void data(ByteBuffer chunk) {
                chunkSizes.add(chunk.remaining());
            }

            @Override
            public void end(ContentSummary summary) {
                r.events.add("end:" + summary.octets());
            }
        };
        f.readDotTerminated(Long.MAX_VALUE, false, sink);
        byte[] line = "0123456789012345678901234567890123456789\r\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 10_000; i++) {
            f.feed(ByteBuffer.wrap(line));
        }
        f.feed(ByteBuffer.wrap(".\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(List.of("end:420000"), r.events);
        assertTrue(chunkSizes.stream().allMatch(n -> n <= 16 * 1024), "no chunk larger than the buffer");
    }

    @Test
    void discardBufferedDropsWhatWasPipelinedAfterStartTls() {
        Recorder r = new Recorder();
        InputFramer f = new InputFramer(100, r);
        r.onLine = line -> {
            if (line.text().equals("STARTTLS")) {
                f.discardBuffered();
            }
        };
        feed(f, "STARTTLS\r\nMAIL FROM:<injected@x>\r\nRCPT", false);
        assertEquals(List.of("line:STARTTLS"), r.events);
        assertEquals("MAIL FROM:<injected@x>\r\nRCPT".length(), f.discardedOctets());
        assertFalse(f.midFrame());
        feed(f, "EHLO after\r\n", false);
        assertEquals("line:EHLO after", r.events.get(1));
    }

    @Test
    void lineBytesAreExact() {
        Recorder r = new Recorder();
        InputFramer f = new InputFramer(100, r);
        f.feed(ByteBuffer.wrap(new byte[] {'a', (byte) 0xc3, (byte) 0xa9, '\r', '\n'}));
        assertArrayEquals(new byte[] {'a', (byte) 0xc3, (byte) 0xa9}, r.lines.get(0).bytes());
        assertEquals("aé", r.lines.get(0).text());
    }

    @Test
    void heldInputWaitsForReleaseInOrder() {
        Recorder r = new Recorder();
        InputFramer f = new InputFramer(100, r);
        r.onLine = line -> {
            if (line.text().equals("WAIT")) {
                f.hold();
            }
        };
        feed(f, "WAIT\r\nA\r\nB", false);
        assertEquals(List.of("line:WAIT"), r.events);
        feed(f, "\r\nC\r\n", false);
        assertEquals(List.of("line:WAIT"), r.events, "input that arrives while held waits too");
        f.release();
        assertEquals(List.of("line:WAIT", "line:A", "line:B", "line:C"), r.events);
    }

    /**
     * A sink that holds the input in its data() call (it handed the chunk to another thread) gets
     * no further data() and no end() until release: not from the rest of the buffer, not from
     * the framer's own flush at the end of a feed, not for the block's last octets.
     */
    @ParameterizedTest
    @ValueSource(strings = {"DOT", "OCTETS"})
    void aSinkThatHoldsInDataGetsNothingMoreUntilRelease(String mode) {
        Recorder r = new Recorder();
        InputFramer f = new InputFramer(100, r);
        StringBuilder body = new StringBuilder();
        for (int i = 0; body.length() < 70_000; i++) {
            body.append("row ").append(i).append(i % 5 == 0 ? "\r\n.dot\r\n" : "\r\n");
        }
        String content = body.toString();
        String unstuffed = content.replace("\r\n.dot", "\r\ndot");
        int[] calls = {0};
        Block block = new Block(r.events) {
            @Override
            public void data(ByteBuffer chunk) {
                super.data(chunk);
                calls[0]++;
                f.hold();
            }
        };
        r.onLine = line -> {
            if (line.text().equals("GO")) {
                if (mode.equals("DOT")) {
                    f.readDotTerminated(1 << 20, false, block);
                } else {
                    f.readOctets(content.length(), block);
                }
            }
        };
        String input = "GO\r\n" + content + (mode.equals("DOT") ? ".\r\n" : "") + "NEXT\r\n";
        feed(f, input, false);
        int released = 0;
        while (block.summary == null) {
            assertEquals(released + 1, calls[0], "one data() call per release");
            assertEquals(List.of("line:GO"), r.events);
            f.release();
            released++;
            assertTrue(released < 1000);
        }
        assertEquals(mode.equals("DOT") ? unstuffed : content, block.text());
        // the end came once the last hold was released, then the next line
        assertEquals(List.of("line:GO", "block:" + block.text(), "line:NEXT"), r.events);
    }

    @Test
    void holdsAreCountedAndInputWaitsForTheLastRelease() {
        Recorder r = new Recorder();
        InputFramer f = new InputFramer(100, r);
        f.hold();
        f.hold();
        feed(f, "A\r\n", false);
        f.release();
        assertEquals(List.of(), r.events, "one hold is left");
        f.release();
        assertEquals(List.of("line:A"), r.events);
        f.release(); // one release too many changes nothing
        f.hold();
        feed(f, "B\r\n", false);
        assertEquals(List.of("line:A"), r.events);
        f.release();
        assertEquals(List.of("line:A", "line:B"), r.events);
    }

    /**
     * Heap buffers take the bulk-copy path inside lines, direct buffers the octet-by-octet one:
     * for random content (CR, LF, dots, bare line ends), random packet sizes and limits, both
     * must deliver the same octets and the same summary.
     */
    @Test
    void bulkCopyInsideLinesMatchesTheOctetByOctetPath() {
        java.util.Random random = new java.util.Random(42);
        byte[] alphabet = "ab.\r\n x".getBytes(StandardCharsets.ISO_8859_1);
        for (int round = 0; round < 500; round++) {
            StringBuilder m = new StringBuilder();
            int length = random.nextInt(3000);
            for (int k = 0; k < length; k++) {
                m.append((char) (random.nextInt(4) == 0 ? alphabet[random.nextInt(alphabet.length)] : 'a' + random.nextInt(26)));
            }
            byte[] input = (m + "\r\n.\r\nNOOP\r\n").getBytes(StandardCharsets.ISO_8859_1);
            long max = random.nextBoolean() ? 100_000 : random.nextInt(2000);
            boolean normalize = random.nextBoolean();
            long seed = random.nextLong();
            Block heap = feedInChunks(input, max, normalize, new java.util.Random(seed), false);
            Block direct = feedInChunks(input, max, normalize, new java.util.Random(seed), true);
            assertArrayEquals(direct.data.toByteArray(), heap.data.toByteArray(), "round " + round);
            assertEquals(direct.summary, heap.summary, "round " + round);
        }
    }

    private static Block feedInChunks(byte[] input, long max, boolean normalize, java.util.Random random, boolean direct) {
        Recorder r = new Recorder();
        InputFramer f = new InputFramer(100_000, r);
        Block b = new Block(r.events);
        f.readDotTerminated(max, normalize, b);
        int pos = 0;
        while (pos < input.length) {
            int n = Math.min(input.length - pos, 1 + random.nextInt(700));
            ByteBuffer chunk = direct ? ByteBuffer.allocateDirect(n) : ByteBuffer.allocate(n);
            chunk.put(input, pos, n).flip();
            f.feed(chunk);
            pos += n;
        }
        return b;
    }
}
