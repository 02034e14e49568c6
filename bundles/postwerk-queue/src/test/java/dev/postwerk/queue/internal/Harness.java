package dev.postwerk.queue.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;

import dev.postwerk.api.directory.UserDirectory;
import dev.postwerk.api.filter.FilterChain;
import dev.postwerk.api.filter.Verdict;
import dev.postwerk.api.mail.Envelope;
import dev.postwerk.api.mail.MailAddress;
import dev.postwerk.api.mail.MessageContent;
import dev.postwerk.api.mail.Origin;
import dev.postwerk.api.mail.Recipient;
import dev.postwerk.api.queue.QueueException;
import dev.postwerk.api.queue.RelayTransport;
import dev.postwerk.api.queue.SpoolWriter;
import dev.postwerk.api.store.MailboxStore;

/** A queue over a temporary folder with swappable fake services. */
final class Harness implements DeliveryServices, AutoCloseable {

    final Path folder;
    volatile MailboxStore store;
    volatile UserDirectory directory;
    volatile FilterChain filters;
    volatile RelayTransport relay;
    QueueSettings settings;
    QueueService queue;
    final List<QueueService> opened = new ArrayList<>();

    Harness(Path folder) {
        this.folder = folder;
        this.settings = QueueSettings.defaults(folder.resolve("spool"));
        FakeStore s = new FakeStore();
        this.store = s;
        this.directory = new FakeDirectory("alice@example.com", "bob@example.com");
        this.filters = chain((envelope, recipient) -> Verdict.proceed());
    }

    FakeStore fakeStore() {
        return (FakeStore) store;
    }

    FakeDirectory fakeDirectory() {
        return (FakeDirectory) directory;
    }

    QueueService open() throws IOException {
        queue = new QueueService(settings, this, Clock.systemUTC());
        opened.add(queue);
        return queue;
    }

    @Override
    public Optional<MailboxStore> store() {
        return Optional.ofNullable(store);
    }

    @Override
    public Optional<UserDirectory> directory() {
        return Optional.ofNullable(directory);
    }

    @Override
    public Optional<FilterChain> filters() {
        return Optional.ofNullable(filters);
    }

    @Override
    public Optional<RelayTransport> relay() {
        return Optional.ofNullable(relay);
    }

    static Origin origin() {
        return new Origin("s1", "mx", new InetSocketAddress("192.0.2.7", 40000), Optional.of("client.example.net"),
                Optional.empty(), Optional.empty());
    }

    static Envelope envelope(String sender, String... recipients) {
        List<Recipient> list = new ArrayList<>();
        for (String r : recipients) {
            list.add(Recipient.of(MailAddress.parse(r)));
        }
        return new Envelope(sender.isEmpty() ? Optional.empty() : Optional.of(MailAddress.parse(sender)), list, origin(),
                Map.of());
    }

    static String message(String subject) {
        return "Received: from client.example.net by mx.example.com; Thu, 26 Nov 2026 10:00:00 +0000\r\n"
                + "From: sender@example.org\r\nTo: alice@example.com\r\nSubject: " + subject + "\r\n"
                + "Message-ID: <" + subject.hashCode() + "@example.org>\r\n\r\nHello, " + subject + ".\r\n";
    }

    String submit(Envelope envelope, String content) throws QueueException, IOException {
        return submit(envelope, content, Verdict.Changes.NONE);
    }

    String submit(Envelope envelope, String content, Verdict.Changes changes) throws QueueException, IOException {
        try (SpoolWriter w = queue.begin(envelope)) {
            OutputStream out = w.content();
            out.write(content.getBytes(StandardCharsets.UTF_8));
            out.flush();
            return w.commit(envelope, changes);
        }
    }

    static FilterChain chain(BiFunction<Envelope, Recipient, Verdict> onDelivery) {
        return new FilterChain() {
            @Override
            public boolean hasFilters(Stage stage) {
                return stage == Stage.DELIVERY;
            }

            @Override
            public Verdict onConnect(Origin origin) {
                return Verdict.proceed();
            }

            @Override
            public Verdict onHelo(Origin origin) {
                return Verdict.proceed();
            }

            @Override
            public Verdict onMailFrom(Envelope envelope) {
                return Verdict.proceed();
            }

            @Override
            public Verdict onRcptTo(Envelope envelope, Recipient recipient) {
                return Verdict.proceed();
            }

            @Override
            public Verdict onData(Envelope envelope, MessageContent content) {
                return Verdict.proceed();
            }

            @Override
            public Verdict onDelivery(Envelope envelope, Recipient recipient, MessageContent content) {
                return onDelivery.apply(envelope, recipient);
            }

            @Override
            public List<FilterDescription> describe() {
                return List.of();
            }
        };
    }

    /** Waits for a condition, failing after a bound (no sleeps as synchronisation). */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(5); // polling interval only; the condition decides
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    static Set<String> none() {
        return Set.of();
    }

    @Override
    public void close() {
        for (QueueService q : opened) {
            try {
                q.stop();
            } catch (RuntimeException e) {
                // already halted
            }
        }
    }
}
