package dev.postwerk.pop3.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.postwerk.api.mail.MessageContent;
import dev.postwerk.api.sasl.SaslAuthenticator;
import dev.postwerk.api.store.Flags;
import dev.postwerk.api.store.Mailbox;
import dev.postwerk.api.store.MailboxStore;
import dev.postwerk.api.store.MessageInfo;
import dev.postwerk.api.store.StoreException;
import dev.postwerk.api.store.UserMailboxes;
import dev.postwerk.sasl.internal.SaslTestAccess;
import dev.postwerk.testkit.osgi.ConfigAnnotations;
import dev.postwerk.transport.internal.TransportComponent;
import dev.postwerk.transport.internal.TransportConfig;
import dev.postwerk.transport.internal.TransportTestAccess;

/**
 * A POP3 server over a real transport on a free port, with the real SASL service (PLAIN, LOGIN,
 * SCRAM-SHA-256) on a test directory and guard, and whatever store the test gives.
 */
final class Pop3Harness implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofSeconds(10);
    static final String ALICE = "alice@example.com";
    static final String BOB = "bob@example.com";
    static final String PASSWORD = "correct horse battery";

    final TransportComponent transport;
    final TestDirectory directory = new TestDirectory().add(ALICE, PASSWORD).add(BOB, PASSWORD);
    final TestGuard guard = new TestGuard();
    final SaslAuthenticator sasl = SaslTestAccess.create(guard, directory, List.of("SCRAM-SHA-256", "PLAIN", "LOGIN"));
    final MaildropLocks locks = new MaildropLocks(Clock.systemUTC());
    final MailboxStore store;
    Pop3Server server;

    Pop3Harness(Path data, MailboxStore store) {
        this.transport = TransportTestAccess.create(ConfigAnnotations.defaults(TransportConfig.class), data);
        this.store = store;
    }

    /** Starts the server: port 0, STLS, plus the given settings. */
    Pop3Harness start(Map<String, Object> settings) throws IOException {
        server = new Pop3Server(transport, store, sasl, locks);
        server.activate(config(settings));
        return this;
    }

    static Pop3Config config(Map<String, Object> settings) {
        Map<String, Object> all = new HashMap<>(Map.of("port", 0, "host", "127.0.0.1"));
        all.putAll(settings);
        return ConfigAnnotations.of(Pop3Config.class, all);
    }

    int port() {
        return server.listener().address().getPort();
    }

    /** Connects and reads the greeting. */
    Pop3Client connect() throws IOException {
        Pop3Client c = Pop3Client.connect(port(), false);
        c.expectOk();
        return c;
    }

    Pop3Client connectTls() throws IOException {
        Pop3Client c = Pop3Client.connect(port(), true);
        c.expectOk();
        return c;
    }

    /** Delivers a message to the user's INBOX as the queue would. */
    MessageInfo deliver(String user, String message) throws StoreException {
        return deliver(user, message.getBytes(StandardCharsets.UTF_8));
    }

    MessageInfo deliver(String user, byte[] message) throws StoreException {
        try (UserMailboxes u = store.open(user)) {
            return u.mailbox(MailboxStore.INBOX).append(MessageContent.ofBytes(message), Flags.NONE, Optional.empty());
        }
    }

    List<MessageInfo> inbox(String user) throws StoreException {
        try (UserMailboxes u = store.open(user)) {
            Mailbox inbox = u.mailbox(MailboxStore.INBOX);
            return inbox.messages();
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.deactivate();
        }
        transport.deactivate();
    }
}
