package dev.postwerk.transport.internal.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.postwerk.testkit.net.LineClient;
import dev.postwerk.testkit.osgi.ConfigAnnotations;
import dev.postwerk.transport.internal.TransportComponent;
import dev.postwerk.transport.internal.TransportConfig;
import dev.postwerk.transport.internal.TransportTestAccess;

/** The transport over real sockets, driven through the probe protocol. */
class ProbeOverSocketTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path data;

    private TransportComponent transport;
    private ProbeServer probe;

    @BeforeEach
    void startTransport() {
        transport = TransportTestAccess.create(ConfigAnnotations.of(TransportConfig.class, transportSettings()), data);
    }

    /** Transport settings; the non-blocking variant runs on one I/O thread, so a blocked one shows. */
    Map<String, Object> transportSettings() {
        return Map.of();
    }

    /** Probe settings every test starts from: the probe runs as a plain (worker) protocol here. */
    Map<String, Object> modeSettings() {
        return Map.of();
    }

    @AfterEach
    void stop() {
        if (probe != null) {
            probe.deactivate();
        }
        transport.deactivate();
    }

    int start(Map<String, Object> settings) throws IOException {
        Map<String, Object> all = new HashMap<>(Map.of("port", 0, "tls", "starttls"));
        all.putAll(modeSettings());
        all.putAll(settings);
        probe = new ProbeServer(transport, ConfigAnnotations.of(ProbeConfig.class, all));
        return probe.listener().address().getPort();
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.ISO_8859_1)));
    }

    @Test
    void greetsAndAnswersCommands() throws Exception {
        int port = start(Map.of());
        try (LineClient c = LineClient.connect("127.0.0.1", port, TIMEOUT)) {
            assertEquals("* OK Postwerk transport probe ready", c.readLine());
            assertEquals("OK hello world", c.command("ECHO hello world"));
            assertEquals("BAD unknown command", c.command("FROB"));
            assertEquals("BYE", c.command("QUIT"));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void startTlsUpgradesAndDiscardsPlaintextPipelinedAfterTheCommand() throws Exception {
        int port = start(Map.of());
        try (LineClient c = LineClient.connect("127.0.0.1", port, TIMEOUT)) {
            c.readLine();
            assertTrue(c.command("INFO").startsWith("OK secure=false"));
            // CVE-2011-0411: a command sent in the same packet as STARTTLS must never run
            c.raw("STARTTLS\r\nECHO injected\r\n");
            assertEquals("OK begin TLS", c.readLine());
            c.upgradeToTls();
            String info = c.command("INFO");
            assertTrue(info.startsWith("OK secure=true tls=TLSv1."), info);
            assertEquals("OK after", c.command("ECHO after"), "the injected ECHO must not have been answered");
            assertEquals("BAD TLS not available", c.command("STARTTLS"));
        }
    }

    @Test
    void implicitTlsSpeaksTlsFromTheFirstByteAndRefusesOldProtocols() throws Exception {
        int port = start(Map.of("tls", "implicit"));
        try (LineClient c = LineClient.connectTls("127.0.0.1", port, TIMEOUT)) {
            assertEquals("* OK Postwerk transport probe ready (TLS)", c.readLine());
            assertTrue(c.tlsProtocol().equals("TLSv1.3") || c.tlsProtocol().equals("TLSv1.2"));
            assertEquals("BAD TLS not available", c.command("STARTTLS"));
        }
        try (LineClient c = LineClient.connectTls("127.0.0.1", port, TIMEOUT, "TLSv1.2")) {
            assertEquals("TLSv1.2", c.tlsProtocol());
        }
        assertThrows(IOException.class, () -> LineClient.connectTls("127.0.0.1", port, TIMEOUT, "TLSv1.1").close());
        // the listener is still fine after a failed handshake
        try (LineClient c = LineClient.connectTls("127.0.0.1", port, TIMEOUT)) {
            assertTrue(c.readLine().startsWith("* OK"));
        }
    }

    @Test
    void plaintextListenerOffersNoTls() throws Exception {
        int port = start(Map.of("tls", "none"));
        try (LineClient c = LineClient.connect("127.0.0.1", port, TIMEOUT)) {
            c.readLine();
            assertEquals("BAD TLS not available", c.command("STARTTLS"));
        }
    }

    @Test
    void refusesConnectionsPastThePerClientLimitWithTheProtocolsGoodbye() throws Exception {
        int port = start(Map.of("maxConnectionsPerClient", 2));
        try (LineClient a = LineClient.connect("127.0.0.1", port, TIMEOUT);
                LineClient b = LineClient.connect("127.0.0.1", port, TIMEOUT)) {
            a.readLine();
            b.readLine();
            try (LineClient c = LineClient.connect("127.0.0.1", port, TIMEOUT)) {
                assertEquals("* BYE too many connections from your address", c.readLine());
                assertTrue(c.closedByServer());
            }
            assertEquals("OK still here", a.command("ECHO still here"));
        }
        // slots are given back when connections close: the server sees the closes a moment
        // after the client made them, so poll (bounded) instead of racing them
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        String greeting;
        do {
            try (LineClient d = LineClient.connect("127.0.0.1", port, TIMEOUT)) {
                greeting = d.readLine();
            }
            if (!greeting.startsWith("* OK")) {
                Thread.onSpinWait();
            }
        } while (!greeting.startsWith("* OK") && System.nanoTime() < deadline);
        assertTrue(greeting.startsWith("* OK"), greeting);
    }

    @Test
    void refusesConnectionsPastTheListenerLimit() throws Exception {
        int port = start(Map.of("maxConnections", 1));
        try (LineClient a = LineClient.connect("127.0.0.1", port, TIMEOUT)) {
            a.readLine();
            try (LineClient b = LineClient.connect("127.0.0.1", port, TIMEOUT)) {
                assertEquals("* BYE too many connections", b.readLine());
            }
        }
    }

    @Test
    void idleConnectionIsToldAndClosed() throws Exception {
        int port = start(Map.of("idleTimeoutSeconds", 1));
        try (LineClient c = LineClient.connect("127.0.0.1", port, TIMEOUT)) {
            c.readLine();
            assertEquals("BYE idle timeout", c.readLine());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void overLongLineGetsAnErrorAndTheSessionGoesOn() throws Exception {
        int port = start(Map.of("maxLineLength", 32));
        try (LineClient c = LineClient.connect("127.0.0.1", port, TIMEOUT)) {
            c.readLine();
            assertEquals("BAD line too long (1007 octets)", c.command("ECHO " + "x".repeat(1000)));
            assertEquals("OK", c.command("NOOP"));
        }
    }

    @Test
    void bareLineFeedIsAnErrorNotALineEnd() throws Exception {
        int port = start(Map.of());
        try (LineClient c = LineClient.connect("127.0.0.1", port, TIMEOUT)) {
            c.readLine();
            c.raw("NOOP\n");
            assertEquals("BAD bare CR or LF in command line", c.readLine());
            assertEquals("OK", c.command("NOOP"));
        }
    }

    @Test
    void pipelinedByteCountedBlockIsFramedExactly() throws Exception {
        int port = start(Map.of());
        try (LineClient c = LineClient.connect("127.0.0.1", port, TIMEOUT)) {
            c.readLine();
            c.raw("OCTETS 5\r\nab\r\ncNOOP\r\nOCTETS 0\r\nECHO z\r\n");
            assertEquals("OK octets=5 over=false bare=0 longest=0 sha256=" + sha256("ab\r\nc"), c.readLine());
            assertEquals("OK", c.readLine());
            assertEquals("OK octets=0 over=false bare=0 longest=0 sha256=" + sha256(""), c.readLine());
            assertEquals("OK z", c.readLine());
        }
    }

    @Test
    void dotTerminatedBlockIgnoresSmuggledTerminators() throws Exception {
        int port = start(Map.of());
        try (LineClient c = LineClient.connect("127.0.0.1", port, TIMEOUT)) {
            c.readLine();
            assertTrue(c.command("DATA").startsWith("OK send data"));
            c.raw("line1\r\n..dot\r\nsmuggle\n.\nECHO injected\r\n.\r\nECHO real\r\n");
            String expected = "line1\r\n.dot\r\nsmuggle\n.\nECHO injected\r\n";
            assertEquals("OK octets=" + expected.length() + " over=false bare=2 longest=15 sha256=" + sha256(expected),
                    c.readLine());
            assertEquals("OK real", c.readLine());
        }
    }

    @Test
    void delayedReplyHoldsLaterInputWithoutBlockingOtherConnections() throws Exception {
        int port = start(Map.of());
        try (LineClient slow = LineClient.connect("127.0.0.1", port, TIMEOUT);
                LineClient other = LineClient.connect("127.0.0.1", port, TIMEOUT)) {
            slow.readLine();
            other.readLine();
            slow.raw("WAIT 500\r\nECHO after wait\r\n");
            // the other connection is served while the first one waits
            assertEquals("OK meanwhile", other.command("ECHO meanwhile"));
            assertEquals("OK waited 500", slow.readLine());
            assertEquals("OK after wait", slow.readLine());
        }
    }

    @Test
    void aClientThatDoesNotReadItsRepliesIsHeldNotBuffered() throws Exception {
        int port = start(Map.of());
        int commands = 100_000;
        String command = "ECHO " + "x".repeat(90) + "\r\n";
        try (LineClient c = LineClient.connect("127.0.0.1", port, Duration.ofSeconds(60))) {
            c.readLine();
            long[] maxQueued = {0};
            Thread writer = new Thread(() -> {
                try {
                    byte[] batch = command.repeat(100).getBytes(StandardCharsets.US_ASCII);
                    for (int i = 0; i < commands / 100; i++) {
                        c.raw(batch);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            // ~10 MB of replies are asked for; while nobody reads them, the server must hold the
            // session instead of queueing them all in memory
            java.time.Instant until = java.time.Instant.now().plusSeconds(3);
            while (java.time.Instant.now().isBefore(until)) {
                maxQueued[0] = Math.max(maxQueued[0], TransportTestAccess.queuedOutputBytes(probe.listener()));
                Thread.onSpinWait();
            }
            int replies = 0;
            for (int i = 0; i < commands; i++) {
                String reply = c.readLine();
                if (reply != null && reply.startsWith("OK x")) {
                    replies++;
                }
            }
            writer.join(30_000);
            assertEquals(commands, replies, "every command answered, in order, once the client reads");
            assertEquals("OK", c.command("NOOP"));
            assertTrue(maxQueued[0] < 2 * 1024 * 1024, "queued replies stayed bounded: " + maxQueued[0]);
        }
    }

    @Test
    void closingTheListenerSaysGoodbyeAndFreesThePort() throws Exception {
        int port = start(Map.of());
        try (LineClient c = LineClient.connect("127.0.0.1", port, TIMEOUT)) {
            c.readLine();
            probe.deactivate();
            probe = null;
            assertEquals("BYE shutting down", c.readLine());
            assertTrue(c.closedByServer());
        }
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
    }

    @Test
    void changedPortRebindsWithoutANewComponent() throws Exception {
        int port = start(Map.of());
        int newPort;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            newPort = free.getLocalPort();
        }
        probe.modified(ConfigAnnotations.of(ProbeConfig.class, Map.of("port", newPort, "tls", "starttls")));
        assertNotEquals(port, newPort);
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
        try (LineClient c = LineClient.connect("127.0.0.1", newPort, TIMEOUT)) {
            assertEquals("* OK Postwerk transport probe ready", c.readLine());
        }
    }
}
