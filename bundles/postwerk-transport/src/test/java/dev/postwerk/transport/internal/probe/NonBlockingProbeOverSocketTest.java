package dev.postwerk.transport.internal.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.postwerk.testkit.net.LineClient;

/**
 * Every transport test again, with the probe as a non-blocking protocol (input framed and
 * answered on the I/O thread, blocking work offloaded) on a single I/O thread, plus what only
 * that mode has: offloaded work keeps its order and never holds the I/O thread.
 */
class NonBlockingProbeOverSocketTest extends ProbeOverSocketTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Override
    Map<String, Object> transportSettings() {
        return Map.of("ioProcessors", 1);
    }

    @Override
    Map<String, Object> modeSettings() {
        return Map.of("nonBlocking", true);
    }

    @Test
    void commandsRunOnTheIoThreadAndOffloadedWorkOnAWorker() throws Exception {
        int port = start(Map.of());
        try (LineClient c = LineClient.connect("127.0.0.1", port, TIMEOUT)) {
            c.readLine();
            String thread = c.command("THREAD");
            assertFalse(thread.startsWith("OK postwerk-probe-"), "not a worker: " + thread);
            assertTrue(c.command("SLEEP 1").startsWith("OK slept 1 on postwerk-probe-"));
        }
    }

    @Test
    void blockingWorkDoesNotHoldTheIoThreadForOtherConnections() throws Exception {
        int port = start(Map.of());
        try (LineClient slow = LineClient.connect("127.0.0.1", port, TIMEOUT);
                LineClient other = LineClient.connect("127.0.0.1", port, TIMEOUT)) {
            slow.readLine();
            other.readLine();
            slow.send("SLEEP 3000");
            // one I/O thread serves both connections: it answers the other one while the first
            // one's work sleeps on a worker
            assertEquals("OK meanwhile", other.command("ECHO meanwhile"));
            // had the I/O thread slept, it would have answered the first connection before it
            // read the ECHO: the order shows it, no clock needed
            assertFalse(slow.hasInput(), "the sleeping connection was answered before the other one");
            assertTrue(slow.readLine().startsWith("OK slept 3000"));
        }
    }

    @Test
    void pipelinedCommandsAfterOffloadedWorkAreAnsweredInOrder() throws Exception {
        int port = start(Map.of());
        try (LineClient c = LineClient.connect("127.0.0.1", port, TIMEOUT)) {
            c.readLine();
            c.raw("SLEEP 200\r\nECHO one\r\nSLEEP 10\r\nSLEEP 10\r\nECHO two\r\nWAIT 50\r\nECHO three\r\n");
            assertTrue(c.readLine().startsWith("OK slept 200"));
            assertEquals("OK one", c.readLine());
            assertTrue(c.readLine().startsWith("OK slept 10"));
            assertTrue(c.readLine().startsWith("OK slept 10"));
            assertEquals("OK two", c.readLine());
            assertEquals("OK waited 50", c.readLine());
            assertEquals("OK three", c.readLine());
        }
    }

    @Test
    void awaitedStagesHoldLaterInputAndKeepTheOrder() throws Exception {
        int port = start(Map.of());
        try (LineClient c = LineClient.connect("127.0.0.1", port, TIMEOUT);
                LineClient other = LineClient.connect("127.0.0.1", port, TIMEOUT)) {
            c.readLine();
            other.readLine();
            c.raw("AWAIT 1000\r\nECHO one\r\nAWAIT 1\r\nSLEEP 1\r\nAWAIT 1\r\nECHO two\r\n");
            assertEquals("OK meanwhile", other.command("ECHO meanwhile"));
            assertFalse(c.hasInput(), "nothing overtook the awaited stage");
            assertEquals("OK awaited 1000", c.readLine());
            assertEquals("OK one", c.readLine());
            assertEquals("OK awaited 1", c.readLine());
            assertTrue(c.readLine().startsWith("OK slept 1"));
            assertEquals("OK awaited 1", c.readLine());
            assertEquals("OK two", c.readLine());
            // after an await with nothing pipelined, the next command is back on the I/O thread
            assertFalse(c.command("THREAD").startsWith("OK postwerk-probe-"));
            // work offloaded after an awaited stage runs on a worker, not on the completing thread
            assertTrue(c.command("AWAITWORK 10").startsWith("OK awaited 10 then worked on postwerk-probe-"));
        }
    }

    @Test
    void offloadedDataChunksKeepTheirOrderAndTheEndComesLast() throws Exception {
        int port = start(Map.of());
        StringBuilder body = new StringBuilder();
        for (int i = 0; body.length() < 300_000; i++) {
            body.append("line ").append(i).append(' ').append("x".repeat(i % 97)).append("\r\n");
        }
        String content = body.toString();
        try (LineClient c = LineClient.connect("127.0.0.1", port, TIMEOUT)) {
            c.readLine();
            // DATA, its content, the terminator and the next command in one write: the framer
            // must hand nothing on past an offloaded chunk until that chunk has run
            c.raw("DATA OFFLOAD\r\n" + content + ".\r\nECHO after\r\n");
            assertTrue(c.readLine().startsWith("OK send data"));
            assertEquals("OK octets=" + content.length() + " over=false bare=0 longest=" + longest(content) + " sha256="
                    + sha256(content), c.readLine());
            assertEquals("OK after", c.readLine());
            c.raw("OCTETS 5\r\nabcdeECHO next\r\n");
            assertTrue(c.readLine().startsWith("OK octets=5 "));
            assertEquals("OK next", c.readLine());
        }
    }

    private static int longest(String content) {
        int max = 0;
        for (String line : content.split("\r\n")) {
            max = Math.max(max, line.length() + 2);
        }
        return max;
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.ISO_8859_1)));
    }
}
