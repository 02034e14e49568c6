package dev.postwerk.smtp.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import dev.postwerk.testkit.net.LineClient;
import dev.postwerk.testkit.osgi.ConfigAnnotations;
import dev.postwerk.transport.internal.TransportComponent;
import dev.postwerk.transport.internal.TransportConfig;
import dev.postwerk.transport.internal.TransportTestAccess;

/** A real transport and an SMTP listener on a free loopback port, over fake services. */
final class SmtpHarness implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofSeconds(10);

    final Fakes.Queue queue = new Fakes.Queue();
    final Fakes.Directory directory = new Fakes.Directory();
    final Fakes.Sasl sasl = new Fakes.Sasl(directory);
    final Fakes.Filters filters = new Fakes.Filters();
    final dev.postwerk.store.memory.internal.MemoryMailboxStore store = new dev.postwerk.store.memory.internal.MemoryMailboxStore(
            java.util.OptionalLong.empty(), java.util.OptionalLong.of(1));
    private final TransportComponent transport;
    final SmtpServer server;

    SmtpHarness(Path data, Map<String, Object> settings) throws IOException {
        this(data, settings, java.util.Set.of());
    }

    /** @param missing services left out: "queue", "directory", "sasl", "filters", "store" */
    SmtpHarness(Path data, Map<String, Object> settings, java.util.Set<String> missing) throws IOException {
        transport = TransportTestAccess.create(ConfigAnnotations.defaults(TransportConfig.class), data);
        Map<String, Object> all = new HashMap<>(Map.of("port", 0, "host", "127.0.0.1", "hostname", "mx.example.test",
                "trustedNetworks", new String[] {"192.0.2.0/24"}));
        all.putAll(settings);
        SmtpConfig config = ConfigAnnotations.of(SmtpConfig.class, all);
        server = new SmtpServer(transport, config, missing.contains("queue") ? null : queue,
                missing.contains("directory") ? null : directory, missing.contains("sasl") ? null : sasl,
                missing.contains("filters") ? null : filters, missing.contains("store") ? null : store);
    }

    int port() {
        return server.listener().address().getPort();
    }

    /** A client past the 220 greeting. */
    LineClient connect() throws IOException {
        LineClient c = LineClient.connect("127.0.0.1", port(), TIMEOUT);
        String greeting = c.readLine();
        assertTrue(greeting.startsWith("220 mx.example.test ESMTP"), greeting);
        return c;
    }

    /** A client past EHLO; returns the client. */
    LineClient ehlo() throws IOException {
        LineClient c = connect();
        c.send("EHLO client.test");
        readReply(c);
        return c;
    }

    /** Reads a whole (multi-line) reply, returned with its lines joined by \n. */
    static String readReply(LineClient c) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            String line = c.readLine();
            if (line == null) {
                return sb.append("<closed>").toString();
            }
            sb.append(line);
            if (line.length() < 4 || line.charAt(3) != '-') {
                return sb.toString();
            }
            sb.append('\n');
        }
    }

    @Override
    public void close() {
        server.deactivate();
        transport.deactivate();
    }
}
