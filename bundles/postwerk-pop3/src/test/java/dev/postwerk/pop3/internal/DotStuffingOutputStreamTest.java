package dev.postwerk.pop3.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** The multi-line encoding without a socket: byte by byte and in chunks of every size. */
class DotStuffingOutputStreamTest {

    private static String stuffed(String content, int chunk) throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        DotStuffingOutputStream out = new DotStuffingOutputStream(sink);
        byte[] bytes = content.getBytes(StandardCharsets.ISO_8859_1);
        if (chunk == 1) {
            for (byte b : bytes) {
                out.write(b);
            }
        } else {
            for (int i = 0; i < bytes.length; i += chunk) {
                out.write(bytes, i, Math.min(chunk, bytes.length - i));
            }
        }
        out.finish();
        return sink.toString(StandardCharsets.ISO_8859_1);
    }

    private static void check(String content, String expected) throws IOException {
        for (int chunk : new int[] {1, 2, 3, 7, 8192}) {
            assertEquals(expected, stuffed(content, chunk), "chunk size " + chunk);
        }
    }

    @Test
    void doublesLeadingDotsAndTerminates() throws IOException {
        check(".hidden\r\nmiddle.dot\r\n.\r\n..two\r\n", "..hidden\r\nmiddle.dot\r\n..\r\n...two\r\n.\r\n");
    }

    @Test
    void emptyContentIsJustTheTerminator() throws IOException {
        check("", ".\r\n");
    }

    @Test
    void missingFinalLineEndIsAdded() throws IOException {
        check("no end", "no end\r\n.\r\n");
        check("cr only\r", "cr only\r\n.\r\n");
        check(".", "..\r\n.\r\n");
    }

    @Test
    void aBareLineFeedStartsALineSoALenientClientNeverSeesAFalseEnd() throws IOException {
        check("a\n.\nb\r\n", "a\n..\nb\r\n.\r\n");
    }

    @Test
    void topStopsAfterTheRequestedBodyLines() throws IOException {
        String message = "Subject: x\r\nFrom: y\r\n\r\nline1\r\nline2\r\nline3\r\n";
        assertEquals("Subject: x\r\nFrom: y\r\n\r\n", top(message, 0));
        assertEquals("Subject: x\r\nFrom: y\r\n\r\nline1\r\n", top(message, 1));
        assertEquals("Subject: x\r\nFrom: y\r\n\r\nline1\r\nline2\r\n", top(message, 2));
        assertEquals(message, top(message, 3));
        assertEquals(message, top(message, 99));
        assertEquals("Subject: only a header\r\n", top("Subject: only a header\r\n", 0));
        assertEquals("A: b\n\nbody\n", top("A: b\n\nbody\nmore\n", 1), "bare LF ends lines too");
    }

    private static String top(String message, long lines) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.ISO_8859_1);
        // a tiny read buffer as well as the default, so cuts inside and at chunk edges are covered
        String whole;
        try (TopInputStream in = new TopInputStream(new ByteArrayInputStream(bytes), lines)) {
            whole = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        try (TopInputStream in = new TopInputStream(new ByteArrayInputStream(bytes), lines)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] small = new byte[3];
            int n;
            while ((n = in.read(small, 0, small.length)) != -1) {
                out.write(small, 0, n);
            }
            assertEquals(whole, out.toString(StandardCharsets.ISO_8859_1));
        }
        return whole;
    }
}
