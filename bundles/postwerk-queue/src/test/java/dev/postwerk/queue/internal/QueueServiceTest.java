package dev.postwerk.queue.internal;

import static dev.postwerk.queue.internal.Harness.await;
import static dev.postwerk.queue.internal.Harness.envelope;
import static dev.postwerk.queue.internal.Harness.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.postwerk.api.filter.HeaderField;
import dev.postwerk.api.filter.Verdict;
import dev.postwerk.api.mail.Envelope;
import dev.postwerk.api.mail.MailAddress;
import dev.postwerk.api.mail.MessageContent;
import dev.postwerk.api.mail.Recipient;
import dev.postwerk.api.queue.DeliveryOutcome;
import dev.postwerk.api.queue.QueueEntry;
import dev.postwerk.api.queue.QueueException;
import dev.postwerk.api.queue.SpoolWriter;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueueServiceTest {

    @TempDir
    Path dir;
    Harness h;

    @BeforeEach
    void setUp() {
        h = new Harness(dir);
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    Path spool() {
        return h.settings.spool();
    }

    @Test
    void committedMessageSurvivesACrashWithItsEnvelope() throws Exception {
        h.store = null; // nothing can be delivered: the message must wait in the spool
        QueueService q = h.open();
        Envelope env = new Envelope(Optional.of(MailAddress.parse("sender@example.org")),
                List.of(new Recipient(MailAddress.parse("alice@example.com"), Set.of(Recipient.DsnNotify.FAILURE),
                        Optional.of("rfc822;Alice@example.com"))),
                Harness.origin(), java.util.Map.of("ENVID", "abc+2B1", "RET", "HDRS"));
        String id = h.submit(env, message("durable"));
        // small: inline in the journal, no file of its own
        assertFalse(Files.exists(spool().resolve("msg").resolve(id)));
        q.halt();

        QueueService again = h.open();
        QueueEntry e = again.find(id).orElseThrow();
        assertEquals(env, e.envelope());
        assertEquals(message("durable").length(), e.size());
        assertEquals(1, e.pending().size());
        // recovery wrote a new journal generation and carried the young message into it
        assertFalse(Files.exists(spool().resolve("msg").resolve(id)));
        assertEquals(message("durable"), new String(again.content(id).orElseThrow(), StandardCharsets.US_ASCII));
        // once it has waited longer than the carry age, a compaction gives it a file of its own
        again.spool().carryAge(Duration.ZERO);
        again.spool().compactNow();
        assertTrue(Files.exists(spool().resolve("msg").resolve(id)));
        assertEquals(message("durable"), new String(again.content(id).orElseThrow(), StandardCharsets.US_ASCII));
        again.halt();
        QueueService third = h.open();
        assertEquals(message("durable"), new String(third.content(id).orElseThrow(), StandardCharsets.US_ASCII));
    }

    @Test
    void bigMessagesGetTheirOwnFileAndSmallOnesSurviveCompaction() throws Exception {
        h.store = null;
        h.settings = h.settings.withInlineMax(1024).withCompactSize(4096);
        QueueService q = h.open();
        String big = "Subject: big\r\n\r\n" + "b".repeat(3000) + "\r\n";
        String bigId = h.submit(envelope("sender@example.org", "alice@example.com"), big);
        assertTrue(Files.exists(spool().resolve("msg").resolve(bigId)), "over inlineMax: own file");
        java.util.Map<String, String> small = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 40; i++) { // 40 x ~100 octets plus envelopes: several compactions of 4 KiB
            String m = message("small " + i);
            small.put(h.submit(envelope("sender@example.org", "alice@example.com"), m), m);
        }
        for (var e : small.entrySet()) {
            assertEquals(e.getValue(), new String(q.content(e.getKey()).orElseThrow(), StandardCharsets.US_ASCII));
        }
        assertEquals(big, new String(q.content(bigId).orElseThrow(), StandardCharsets.US_ASCII));
        q.halt();
        QueueService again = h.open();
        assertEquals(41, again.list().size());
        for (var e : small.entrySet()) {
            assertEquals(e.getValue(), new String(again.content(e.getKey()).orElseThrow(), StandardCharsets.US_ASCII));
        }
        // delivered once a store is there; inline or not, every copy is byte-exact
        h.store = new FakeStore();
        again.halt();
        QueueService third = h.open();
        await("all delivered", () -> third.list().isEmpty());
        assertEquals(41, h.fakeStore().total());
        Set<String> delivered = new HashSet<>();
        for (FakeStore.Stored st : h.fakeStore().messages("alice@example.com", "INBOX")) {
            String text = st.text();
            delivered.add(text.substring(text.indexOf("\r\n") + 2)); // without Return-Path:
        }
        Set<String> sent = new HashSet<>(small.values());
        sent.add(big);
        assertEquals(sent, delivered);
    }

    /**
     * commitAsync (what SMTP uses from its I/O thread) returns before the message is durable and
     * completes with the queue id once it is, for an inline message (the committer's fsync) and
     * one in its own file (fsync'ed on the spool's own threads); both survive a crash.
     */
    @Test
    void asyncCommitsCompleteOnceDurableInlineOrInTheirOwnFile() throws Exception {
        h.store = null;
        h.settings = h.settings.withInlineMax(1024);
        QueueService q = h.open();
        java.util.Map<String, String> sent = new java.util.LinkedHashMap<>();
        List<java.util.concurrent.CompletableFuture<String>> commits = new java.util.ArrayList<>();
        List<String> bodies = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String body = i % 4 == 0 ? "Subject: big " + i + "\r\n\r\n" + "b".repeat(5000) + "\r\n" : message("async " + i);
            Envelope env = envelope("sender@example.org", "alice@example.com");
            SpoolWriter w = q.begin(env);
            w.content().write(body.getBytes(StandardCharsets.US_ASCII));
            w.content().flush();
            commits.add(w.commitAsync(env, Verdict.Changes.NONE).toCompletableFuture());
            bodies.add(body);
        }
        for (int i = 0; i < commits.size(); i++) {
            String id = commits.get(i).get(10, java.util.concurrent.TimeUnit.SECONDS);
            sent.put(id, bodies.get(i));
            assertEquals(i % 4 == 0, Files.exists(spool().resolve("msg").resolve(id)), "own file only past inlineMax");
        }
        assertEquals(20, new HashSet<>(sent.keySet()).size());
        q.halt();
        QueueService again = h.open();
        for (var e : sent.entrySet()) {
            assertEquals(e.getValue(), new String(again.content(e.getKey()).orElseThrow(), StandardCharsets.US_ASCII));
        }
        // a writer commits once, whichever way
        SpoolWriter w = again.begin(envelope("sender@example.org", "alice@example.com"));
        w.commitAsync(envelope("sender@example.org", "alice@example.com"), Verdict.Changes.NONE).toCompletableFuture().get();
        assertThrows(IllegalStateException.class,
                () -> w.commitAsync(envelope("sender@example.org", "alice@example.com"), Verdict.Changes.NONE));
    }

    /**
     * keepsInMemory answers whether writing that much more touches no disk (SMTP then writes on
     * its I/O thread), and reserves the room, so the answer holds.
     */
    @Test
    void keepsInMemoryAnswersForTheInlineMaximumAndTheMemoryBudget() throws Exception {
        h.store = null;
        h.settings = h.settings.withInlineMax(4096);
        QueueService q = h.open();
        Envelope env = envelope("sender@example.org", "alice@example.com");
        SpoolWriter w = q.begin(env);
        assertTrue(w.keepsInMemory(4096));
        long reserved = q.spool().inlineBytesInUse();
        assertTrue(reserved >= 4096, "room reserved: " + reserved);
        w.content().write(new byte[4000]);
        assertTrue(w.keepsInMemory(4096));
        assertFalse(w.keepsInMemory(4097), "past the inline maximum the spool writes a file");
        w.content().write(new byte[200]); // spills
        assertFalse(w.keepsInMemory(4200));
        String id = w.commitAsync(env, Verdict.Changes.NONE).toCompletableFuture().get();
        assertTrue(Files.exists(spool().resolve("msg").resolve(id)));
        assertFalse(w.keepsInMemory(1), "committed");

        q.spool().inlineBudget(10_000);
        SpoolWriter a = q.begin(env);
        SpoolWriter b = q.begin(env);
        SpoolWriter c = q.begin(env);
        assertTrue(a.keepsInMemory(4096));
        assertTrue(b.keepsInMemory(4096));
        assertFalse(c.keepsInMemory(4096), "the memory budget is taken by the other two");
        a.abort();
        assertTrue(c.keepsInMemory(4096), "given back at abort");
        b.abort();
        c.abort();
        assertEquals(0, q.spool().inlineBytesInUse());
    }

    @Test
    void concurrentCommitsAreGroupedAndAllRecovered() throws Exception {
        h.store = null;
        h.open();
        int threads = 16;
        int each = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Set<String> ids = ConcurrentHashMap.newKeySet();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < each; i++) {
                    ids.add(h.submit(envelope("sender@example.org", "alice@example.com"), message("m" + thread + "-" + i)));
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        assertEquals(threads * each, ids.size());
        h.queue.halt();

        QueueService again = h.open();
        Set<String> recovered = new HashSet<>();
        again.list().forEach(e -> recovered.add(e.queueId()));
        assertEquals(ids, recovered);
    }

    @Test
    void recoverySetsAsideUncommittedFilesAndIgnoresATornJournalTail() throws Exception {
        h.store = null;
        h.settings = h.settings.withInlineMax(0); // every message its own file
        QueueService q = h.open();
        String kept = h.submit(envelope("sender@example.org", "alice@example.com"), message("kept"));
        SpoolWriter half = q.begin(envelope("sender@example.org", "alice@example.com"));
        half.content().write("Subject: never committed\r\n".getBytes(StandardCharsets.US_ASCII));
        half.content().flush();
        long files;
        try (var s = Files.list(spool().resolve("msg"))) {
            files = s.count();
        }
        assertEquals(2, files);
        q.halt();
        Path journal = Journal.newest(spool()).orElseThrow();
        Files.write(journal, new byte[] {0, 0, 0, 40, 1, 2, 3}, StandardOpenOption.APPEND); // a torn frame

        QueueService again = h.open();
        assertEquals(List.of(kept), again.list().stream().map(QueueEntry::queueId).toList());
        try (var s = Files.list(spool().resolve("msg"))) {
            assertEquals(List.of(kept), s.map(p -> p.getFileName().toString()).toList());
        }
        // not deleted at once: were a journal frame damaged, it could be a message that got "250"
        try (var s = Files.list(spool().resolve("quarantine"))) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void abortedAndClosedWritersLeaveNothing() throws Exception {
        h.store = null;
        QueueService q = h.open();
        try (SpoolWriter w = q.begin(envelope("sender@example.org", "alice@example.com"))) {
            w.content().write(1);
        }
        SpoolWriter w2 = q.begin(envelope("sender@example.org", "alice@example.com"));
        w2.abort();
        try (var s = Files.list(spool().resolve("msg"))) {
            assertEquals(0, s.count());
        }
        assertTrue(q.list().isEmpty());
    }

    @Test
    void writtenReturnsTheContentSoFar() throws Exception {
        QueueService q = h.open();
        try (SpoolWriter w = q.begin(envelope("sender@example.org", "alice@example.com"))) {
            OutputStream out = w.content();
            out.write("Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
            MessageContent c = w.written();
            assertEquals(20, c.size());
            try (var in = c.openStream()) {
                assertEquals("Subject: x\r\n\r\nbody\r\n", new String(in.readAllBytes(), StandardCharsets.US_ASCII));
            }
        }
        try (SpoolWriter w = q.begin(envelope("sender@example.org", "alice@example.com"))) {
            String announced = w.queueId();
            w.content().write("Subject: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(announced, w.commit(envelope("sender@example.org", "alice@example.com")),
                    "the id known at begin (for the Received: header) is the id committed");
        }
    }

    @Test
    void deliversLocallyWithReturnPathOnTopAndLeavesTheSpool() throws Exception {
        QueueService q = h.open();
        String id = h.submit(envelope("sender@example.org", "alice@example.com", "bob@example.com"), message("hello"));
        await("delivered and removed", () -> q.find(id).isEmpty());
        var alice = h.fakeStore().messages("alice@example.com", "INBOX");
        assertEquals(1, alice.size());
        assertEquals("Return-Path: <sender@example.org>\r\n" + message("hello"), alice.get(0).text());
        assertEquals(1, h.fakeStore().messages("bob@example.com", "INBOX").size());
        await("spool file deleted", () -> !Files.exists(spool().resolve("msg").resolve(id)));
    }

    @Test
    void deliveryFiltersChooseTheFolderAndAddAndRemoveHeaders() throws Exception {
        h.filters = Harness.chain((env, rcpt) -> Verdict.proceedWith(new Verdict.Changes(
                List.of(new HeaderField("X-Spam-Flag", "YES")), Set.of("X-Spam-Score"), Optional.of("Junk"), false)));
        QueueService q = h.open();
        Verdict.Changes data = new Verdict.Changes(List.of(new HeaderField("X-Spam-Score", "9.1"),
                new HeaderField("X-Scanned", "yes")), Set.of("Message-ID"), Optional.empty(), false);
        String id = h.submit(envelope("sender@example.org", "alice@example.com"), message("spam"), data);
        await("delivered", () -> q.find(id).isEmpty());
        var junk = h.fakeStore().messages("alice@example.com", "Junk");
        assertEquals(1, junk.size());
        String expected = "Return-Path: <sender@example.org>\r\nX-Spam-Flag: YES\r\nX-Scanned: yes\r\n"
                + message("spam").replaceFirst("Message-ID: [^\r]*\r\n", "");
        assertEquals(expected, junk.get(0).text());
        assertTrue(h.fakeStore().messages("alice@example.com", "INBOX").isEmpty());
    }

    @Test
    void temporaryStoreFailureIsRetriedUntilDelivered() throws Exception {
        h.settings = h.settings.withSchedule(List.of(Duration.ofSeconds(1)), Duration.ofDays(5));
        h.fakeStore().unavailable.set(2);
        QueueService q = h.open();
        String id = h.submit(envelope("sender@example.org", "alice@example.com"), message("retry"));
        await("delivered after retries", () -> q.find(id).isEmpty());
        assertEquals(1, h.fakeStore().messages("alice@example.com", "INBOX").size());
        assertEquals(0, h.fakeStore().unavailable.get());
    }

    @Test
    void missingServicesKeepMailQueuedUntilTheyArrive() throws Exception {
        FakeStore store = h.fakeStore();
        h.store = null;
        var chain = h.filters;
        h.filters = null;
        QueueService q = h.open();
        String id = h.submit(envelope("sender@example.org", "alice@example.com"), message("waiting"));
        await("deferred", () -> q.find(id).map(e -> e.pending().get(0).lastError().isPresent()).orElse(false));
        assertTrue(q.find(id).orElseThrow().pending().get(0).lastError().orElseThrow().contains("4.3.0"));
        h.store = store;
        q.serviceArrived();
        await("deferred again, now for the filters", () -> q.find(id)
                .map(e -> e.pending().get(0).lastError().orElse("").contains("filters")).orElse(false));
        assertEquals(0, store.total());
        h.filters = chain;
        q.serviceArrived();
        await("delivered", () -> q.find(id).isEmpty());
        assertEquals(1, store.total());
    }

    @Test
    void permanentFailureBouncesOneRfc3464ReportToTheSender() throws Exception {
        QueueService q = h.open();
        Envelope env = new Envelope(Optional.of(MailAddress.parse("alice@example.com")),
                List.of(new Recipient(MailAddress.parse("nobody@example.com"), Set.of(),
                        Optional.of("rfc822;Nobody+2Btag@Example.com")), Recipient.of(MailAddress.parse("ghost@example.com")),
                        Recipient.of(MailAddress.parse("bob@example.com"))),
                Harness.origin(), java.util.Map.of("ENVID", "env+3D42"));
        String id = h.submit(env, message("bounce me"));
        await("bounce delivered to alice", () -> h.fakeStore().messages("alice@example.com", "INBOX").size() == 1);
        await("original removed", () -> q.find(id).isEmpty());
        assertEquals(1, h.fakeStore().messages("bob@example.com", "INBOX").size());
        String dsn = h.fakeStore().messages("alice@example.com", "INBOX").get(0).text();
        assertTrue(dsn.startsWith("Return-Path: <>\r\n"), dsn);
        DsnAssertions.check(dsn, List.of("nobody@example.com", "ghost@example.com"), "5.1.1", true);
        assertTrue(dsn.contains("Original-Recipient: rfc822;Nobody+tag@Example.com\r\n"), dsn);
        assertTrue(dsn.contains("Original-Envelope-Id: env=42\r\n"), dsn);
        await("queue empty", () -> q.list().isEmpty());
    }

    @Test
    void retHdrsReturnsOnlyTheHeader() throws Exception {
        QueueService q = h.open();
        Envelope env = new Envelope(Optional.of(MailAddress.parse("alice@example.com")),
                List.of(Recipient.of(MailAddress.parse("nobody@example.com"))), Harness.origin(), java.util.Map.of("RET", "HDRS"));
        h.submit(env, message("headers only"));
        await("bounce delivered", () -> h.fakeStore().messages("alice@example.com", "INBOX").size() == 1);
        String dsn = h.fakeStore().messages("alice@example.com", "INBOX").get(0).text();
        DsnAssertions.check(dsn, List.of("nobody@example.com"), "5.1.1", false);
        assertFalse(dsn.contains("Hello, headers only"), dsn);
        await("queue empty", () -> q.list().isEmpty());
    }

    @Test
    void notifySuccessSendsADeliveredNoticeWithTheHeaderOnly() throws Exception {
        QueueService q = h.open();
        Envelope env = new Envelope(Optional.of(MailAddress.parse("alice@example.com")),
                List.of(new Recipient(MailAddress.parse("bob@example.com"),
                        Set.of(Recipient.DsnNotify.SUCCESS, Recipient.DsnNotify.FAILURE), Optional.empty())),
                Harness.origin(), java.util.Map.of("RET", "FULL"));
        String id = h.submit(env, message("tell me when it arrives"));
        await("notice delivered to alice", () -> h.fakeStore().messages("alice@example.com", "INBOX").size() == 1);
        await("original removed", () -> q.find(id).isEmpty());
        assertEquals(1, h.fakeStore().messages("bob@example.com", "INBOX").size());
        String dsn = h.fakeStore().messages("alice@example.com", "INBOX").get(0).text();
        assertTrue(dsn.startsWith("Return-Path: <>\r\n"), dsn);
        assertTrue(dsn.contains("Subject: Successful Mail Delivery Report\r\n"), dsn);
        assertTrue(dsn.contains("Final-Recipient: rfc822; bob@example.com\r\nAction: delivered\r\nStatus: 2."), dsn);
        assertTrue(dsn.contains("Content-Type: text/rfc822-headers"), "RET=FULL is for failures only: " + dsn);
        assertFalse(dsn.contains("Hello, tell me when it arrives"), dsn);
        await("queue empty", () -> q.list().isEmpty());
    }

    @Test
    void noSuccessNoticeWithoutNotifySuccess() throws Exception {
        QueueService q = h.open();
        String id = h.submit(envelope("alice@example.com", "bob@example.com"), message("quiet"));
        await("delivered", () -> q.find(id).isEmpty());
        assertEquals(1, h.fakeStore().messages("bob@example.com", "INBOX").size());
        assertEquals(0, h.fakeStore().messages("alice@example.com", "INBOX").size());
    }

    @Test
    void noBounceForTheNullSender() throws Exception {
        QueueService q = h.open();
        String id = h.submit(envelope("", "nobody@example.com"), message("a bounce"));
        await("dropped", () -> q.find(id).isEmpty());
        assertTrue(q.list().isEmpty());
        assertEquals(0, h.fakeStore().total());
    }

    @Test
    void notifyNeverSuppressesTheBounce() throws Exception {
        QueueService q = h.open();
        Envelope env = new Envelope(Optional.of(MailAddress.parse("alice@example.com")),
                List.of(new Recipient(MailAddress.parse("nobody@example.com"), Set.of(Recipient.DsnNotify.NEVER), Optional.empty())),
                Harness.origin(), java.util.Map.of());
        String id = h.submit(env, message("never"));
        await("dropped", () -> q.find(id).isEmpty());
        assertTrue(q.list().isEmpty());
        assertEquals(0, h.fakeStore().total());
    }

    @Test
    void filterRejectionAtDeliveryBounces() throws Exception {
        h.filters = Harness.chain((env, rcpt) -> Verdict.reject(550, "5.7.1", "virus found"));
        QueueService q = h.open();
        h.submit(envelope("alice@example.com", "bob@example.com"), message("virus"));
        // the bounce to alice is rejected as well, and then dropped: a bounce never bounces
        await("queue empty", () -> q.list().isEmpty());
        assertEquals(0, h.fakeStore().total());
    }

    @Test
    void overQuotaBouncesAfterTheRetryPeriod() throws Exception {
        h.settings = h.settings.withOverQuotaRetry(Duration.ZERO);
        h.fakeStore().overQuota = true;
        QueueService q = h.open();
        String id = h.submit(envelope("sender@example.org", "alice@example.com"), message("full"));
        // the bounce goes to a remote sender and waits for the relay
        await("bounced", () -> q.find(id).isEmpty() && q.list().size() == 1);
        QueueEntry bounce = q.list().get(0);
        assertTrue(bounce.envelope().sender().isEmpty());
        assertEquals("sender@example.org", bounce.envelope().recipients().get(0).address().toString());
        String dsn = new String(q.content(bounce.queueId()).orElseThrow(), StandardCharsets.UTF_8);
        DsnAssertions.check(dsn, List.of("alice@example.com"), "5.2.2", true);
    }

    @Test
    void atMostOneCopyPerRecipientAfterACrashBetweenAppendAndRecord() throws Exception {
        QueueService q = h.open();
        FakeStore store = h.fakeStore();
        CountDownLatch appended = new CountDownLatch(1);
        store.afterAppend = () -> {
            // the process dies right after the store confirmed: nothing more reaches the journal
            q.spool().halt();
            appended.countDown();
        };
        String id = h.submit(envelope("sender@example.org", "alice@example.com"), message("once"));
        appended.await();
        q.halt();
        store.afterAppend = () -> { };
        assertEquals(1, store.messages("alice@example.com", "INBOX").size());

        QueueService again = h.open();
        await("recovered message finished", () -> again.find(id).isEmpty());
        assertEquals(1, store.messages("alice@example.com", "INBOX").size());
        assertEquals(1, store.appends.get());
    }

    @Test
    void remoteRecipientsWaitForARelay() throws Exception {
        h.fakeDirectory().aliases.put("list@example.com", List.of("alice@example.com", "carol@elsewhere.test"));
        QueueService q = h.open();
        String id = h.submit(envelope("alice@example.com", "list@example.com", "dave@elsewhere.test"), message("relay"));
        await("local part delivered, remote waiting", () -> h.fakeStore().total() == 1
                && q.find(id).map(e -> e.pending().size() == 2 && e.pending().get(0).lastError().isPresent()).orElse(false));
        List<String> relayed = new java.util.concurrent.CopyOnWriteArrayList<>();
        h.relay = (domain, env, recipients, content) -> {
            List<DeliveryOutcome> out = new ArrayList<>();
            for (Recipient r : recipients) {
                relayed.add(domain + ":" + r.address() + ":" + r.originalRecipient().orElse(""));
                out.add(new DeliveryOutcome(r, DeliveryOutcome.Status.DELIVERED, "2.0.0", "250 2.0.0 ok",
                        Optional.of("mx.elsewhere.test")));
            }
            return out;
        };
        q.serviceArrived();
        await("relayed", () -> q.find(id).isEmpty());
        assertEquals(Set.of("elsewhere.test:carol@elsewhere.test:rfc822;list@example.com", "elsewhere.test:dave@elsewhere.test:"),
                new HashSet<>(relayed));
        assertEquals(1, h.fakeStore().total()); // alice not delivered twice
    }

    @Test
    void listRetryAndDeleteWorkFromTheDurableState() throws Exception {
        h.store = null;
        QueueService q = h.open();
        String a = h.submit(envelope("sender@example.org", "alice@example.com"), message("a"));
        String b = h.submit(envelope("sender@example.org", "bob@example.com"), message("b"));
        await("both deferred", () -> q.list().stream().allMatch(e -> e.pending().get(0).attempts() == 1));
        assertEquals(List.of(a, b), q.list().stream().map(QueueEntry::queueId).toList());
        assertTrue(q.find(a).orElseThrow().nextAttempt().isPresent());
        assertTrue(q.retry(a));
        await("second attempt", () -> q.find(a).map(e -> e.pending().get(0).attempts() == 2).orElse(false));
        assertEquals(2, q.retryDomain("EXAMPLE.com"));
        assertEquals(0, q.retryDomain("elsewhere.test"));
        assertFalse(q.retry("NOSUCHID0000"));
        assertTrue(q.delete(b));
        assertFalse(q.delete(b));
        assertTrue(q.find(b).isEmpty());
        q.stop();

        QueueService again = h.open();
        assertEquals(List.of(a), again.list().stream().map(QueueEntry::queueId).toList());
        assertTrue(again.find(a).orElseThrow().pending().get(0).attempts() >= 2);
        await("deleted file gone", () -> !Files.exists(spool().resolve("msg").resolve(b)));
    }

    @Test
    void expiredMessagesBounceWithTheLastTemporaryStatus() throws Exception {
        h.settings = h.settings.withSchedule(List.of(Duration.ofMinutes(1)), Duration.ZERO);
        h.store = null;
        FakeStore store = new FakeStore();
        QueueService q = h.open();
        Envelope env = envelope("bob@example.com", "alice@example.com");
        String id = h.submit(env, message("too late"));
        await("expired", () -> q.find(id).isEmpty());
        h.store = store;
        // the bounce itself expires at once too (lifetime 0) and is dropped, never bounced back
        await("queue empty", () -> q.list().isEmpty());
    }

    @Test
    void journalCompactionKeepsEveryLiveMessage() throws Exception {
        h.settings = h.settings.withCompactSize(64 * 1024);
        h.store = null;
        QueueService q = h.open();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 400; i++) {
            ids.add(h.submit(envelope("sender@example.org", "alice@example.com"), message("c" + i)));
        }
        for (String id : new ArrayList<>(ids).subList(0, 100)) {
            q.delete(id);
            ids.remove(id);
        }
        q.halt();
        QueueService again = h.open();
        assertEquals(ids, new HashSet<>(again.list().stream().map(QueueEntry::queueId).toList()));
        again.stop();
        List<String> journals;
        try (var s = Files.list(spool())) {
            journals = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("journal.")).toList();
        }
        assertEquals(1, journals.size(), journals.toString());
    }

    @Test
    void aSecondQueueCannotOpenTheSameSpool() throws Exception {
        h.open();
        assertThrows(java.io.IOException.class, () -> new Spool(spool(), 1 << 20));
    }

    @Test
    void beginFailsOnceStopped() throws Exception {
        QueueService q = h.open();
        q.stop();
        assertThrows(QueueException.class, () -> q.begin(envelope("sender@example.org", "alice@example.com")));
    }

    @Test
    void oneDelayNoticeOnceAMessageWaitsLongerThanTheWarningTime() throws Exception {
        h.settings = h.settings.withDelayWarning(Duration.ofMillis(1))
                .withSchedule(List.of(Duration.ofMillis(30)), Duration.ofDays(5));
        h.fakeStore().unavailable.set(Integer.MAX_VALUE);
        QueueService q = h.open();
        Envelope env = new Envelope(Optional.of(MailAddress.parse("sender@example.org")),
                List.of(Recipient.of(MailAddress.parse("alice@example.com")), // no NOTIFY: the server's choice, warned
                        new Recipient(MailAddress.parse("bob@example.com"), Set.of(Recipient.DsnNotify.FAILURE),
                                Optional.empty())), // FAILURE only: not warned
                Harness.origin(), java.util.Map.of("ENVID", "e1"));
        String id = h.submit(env, message("slow"));
        await("three attempts", () -> q.find(id).map(e -> e.pending().get(0).attempts() >= 3).orElse(false));
        List<QueueEntry> notices = q.list().stream().filter(e -> !e.queueId().equals(id)).toList();
        assertEquals(1, notices.size(), "one notice however many attempts");
        assertTrue(notices.get(0).envelope().sender().isEmpty(), "sent from the null sender");
        String dsn = new String(q.content(notices.get(0).queueId()).orElseThrow(), StandardCharsets.UTF_8);
        assertTrue(dsn.contains("Subject: Delayed Mail (still being retried)"), dsn);
        assertTrue(dsn.contains("Final-Recipient: rfc822; alice@example.com\r\nAction: delayed\r\nStatus: 4.3.0"), dsn);
        assertTrue(dsn.contains("Will-Retry-Until: "), dsn);
        assertTrue(dsn.contains("Original-Envelope-Id: e1"), dsn);
        assertFalse(dsn.contains("bob@example.com"), dsn);
        assertTrue(dsn.contains("Content-Type: text/rfc822-headers"), dsn);
        assertFalse(dsn.contains("Hello, slow."), "a delay notice returns the header only");

        q.halt(); // the notice is remembered across a restart
        QueueService again = h.open();
        int before = again.find(id).orElseThrow().pending().get(0).attempts();
        await("more attempts", () -> again.find(id).map(e -> e.pending().get(0).attempts() >= before + 2).orElse(false));
        assertEquals(2, again.list().size());
    }

    @Test
    void noDelayNoticeBeforeTheWarningTimeOrForNotifyNever() throws Exception {
        h.settings = h.settings.withSchedule(List.of(Duration.ofMillis(30)), Duration.ofDays(5)); // default: after 4 h
        h.fakeStore().unavailable.set(Integer.MAX_VALUE);
        QueueService q = h.open();
        String young = h.submit(envelope("sender@example.org", "alice@example.com"), message("young"));
        await("attempts", () -> q.find(young).map(e -> e.pending().get(0).attempts() >= 2).orElse(false));
        assertEquals(1, q.list().size());
        q.halt();
        h.settings = h.settings.withDelayWarning(Duration.ofMillis(1));
        QueueService again = h.open();
        Envelope never = new Envelope(Optional.of(MailAddress.parse("sender@example.org")),
                List.of(new Recipient(MailAddress.parse("bob@example.com"), Set.of(Recipient.DsnNotify.NEVER), Optional.empty())),
                Harness.origin(), java.util.Map.of());
        String quiet = h.submit(never, message("quiet"));
        await("attempts", () -> again.find(quiet).map(e -> e.pending().get(0).attempts() >= 2).orElse(false));
        // the young one is old enough now and warned; NOTIFY=NEVER is not
        await("one notice", () -> again.list().size() == 3);
        assertTrue(again.list().stream().filter(e -> e.envelope().sender().isEmpty()).count() == 1);
    }

    /** A lazy record needs no urgent one after it: the committer forces it within its deadline. */
    @Test
    void lazyRecordsAreForcedWithinTheirDeadlineWithoutOtherTraffic() throws Exception {
        h.store = null;
        QueueService q = h.open();
        String id = h.submit(envelope("sender@example.org", "alice@example.com"), message("lazy"));
        // a record no delivery attempt writes (the delay notice comes after 4 h by default)
        JournalRecord.DelayNotified d = new JournalRecord.DelayNotified(id);
        q.spool().get(id).orElseThrow().apply(d);
        q.spool().recordLazily(d).get(10, java.util.concurrent.TimeUnit.SECONDS);
        q.halt();
        QueueService again = h.open();
        assertTrue(again.spool().get(id).orElseThrow().delayNotified);
    }

    /**
     * A bounce carries the records that finish the recipients it reports, in its own journal
     * frame: after a crash right behind it the original is finished and the bounce is there once,
     * with no separate record that could have been lost in between.
     */
    @Test
    void aBounceAndTheFinishedRecipientsItReportsAreDurableTogether() throws Exception {
        java.nio.file.Path folder = spool();
        String original;
        String bounce;
        try (Spool s = new Spool(folder, 1 << 20)) {
            SpoolWriter w = s.begin(envelope("sender@example.org", "alice@example.com", "bob@example.com"));
            w.content().write(message("original").getBytes(StandardCharsets.US_ASCII));
            original = w.commit(envelope("sender@example.org", "alice@example.com", "bob@example.com"));
            SpoolWriter b = s.begin(envelope("", "sender@example.org"));
            b.content().write(message("bounce").getBytes(StandardCharsets.US_ASCII));
            bounce = s.commit(b, envelope("", "sender@example.org"), List.of(
                    new JournalRecord.RecipientDone(original, 1, true, "5.1.1", "550 5.1.1 no such user")));
            // applied in memory before commit returned
            assertFalse(s.get(original).orElseThrow().finished());
            assertTrue(s.get(original).orElseThrow().recipients[1].done);
            s.halt(); // a crash right after: nothing else reaches the disk
        }
        try (Spool again = new Spool(folder, 1 << 20)) {
            SpooledMessage m = again.get(original).orElseThrow();
            assertTrue(m.recipients[1].done && m.recipients[1].failed, "bob is finished by the bounce's frame");
            assertFalse(m.recipients[0].done, "alice is still to be delivered");
            assertTrue(again.get(bounce).isPresent());
            assertEquals(2, again.live().size());
        }
    }

    /**
     * Messages being received share a memory budget: one that does not fit goes to its own file
     * at once, and the budget is given back at commit and at abort.
     */
    @Test
    void messagesBeyondTheMemoryBudgetAreStreamedToTheirOwnFile() throws Exception {
        java.nio.file.Path folder = spool();
        String first;
        String second;
        String a = "Subject: a\r\n\r\n" + "a".repeat(6000) + "\r\n";
        String b = "Subject: b\r\n\r\n" + "b".repeat(6000) + "\r\n";
        try (Spool s = new Spool(folder, 1 << 20, 64 * 1024)) {
            s.inlineBudget(10_000);
            SpoolWriter wa = s.begin(envelope("sender@example.org", "alice@example.com"));
            SpoolWriter wb = s.begin(envelope("sender@example.org", "alice@example.com"));
            wa.content().write(a.getBytes(StandardCharsets.US_ASCII));
            wb.content().write(b.getBytes(StandardCharsets.US_ASCII)); // does not fit next to a
            assertTrue(Files.exists(folder.resolve("msg").resolve(wb.queueId())), "b streams to its own file");
            assertFalse(Files.exists(folder.resolve("msg").resolve(wa.queueId())), "a stays in memory");
            assertTrue(s.inlineBytesInUse() > 0);
            first = wa.commit(envelope("sender@example.org", "alice@example.com"));
            second = wb.commit(envelope("sender@example.org", "alice@example.com"));
            assertEquals(0, s.inlineBytesInUse(), "budget given back at commit");
            SpoolWriter aborted = s.begin(envelope("sender@example.org", "alice@example.com"));
            aborted.content().write("Subject: never\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
            aborted.abort();
            assertEquals(0, s.inlineBytesInUse(), "and at abort");
            s.halt();
        }
        try (Spool again = new Spool(folder, 1 << 20, 64 * 1024)) {
            for (var e : java.util.Map.of(first, a, second, b).entrySet()) {
                SpooledMessage m = again.get(e.getKey()).orElseThrow();
                try (java.io.InputStream in = m.openData()) {
                    assertEquals(e.getValue(), new String(in.readNBytes((int) m.size), StandardCharsets.US_ASCII));
                }
            }
        }
    }

    /**
     * Right after a burst most of the journal is mail not yet delivered; rewriting it then would
     * copy all of it. Compaction waits until that is at most a quarter of the journal, or until the
     * journal has grown to four times the compaction size.
     */
    @Test
    void compactionWaitsWhileMostOfTheJournalIsUndeliveredMail() throws Exception {
        h.store = null; // nothing is delivered: every message stays inline and live
        h.settings = h.settings.withCompactSize(16 * 1024);
        QueueService q = h.open();
        long start = Journal.generationOf(Journal.newest(spool()).orElseThrow());
        String body = "Subject: burst\r\n\r\n" + "x".repeat(4000) + "\r\n";
        for (int i = 0; i < 8; i++) { // ~33 KB: past 16 KiB, but a rewrite would carry all of it
            h.submit(envelope("sender@example.org", "alice@example.com"), body);
        }
        assertEquals(start, Journal.generationOf(Journal.newest(spool()).orElseThrow()), "compaction waits");
        for (int i = 0; i < 12; i++) { // ~82 KB: past four times 16 KiB, it compacts anyway
            h.submit(envelope("sender@example.org", "alice@example.com"), body);
        }
        assertTrue(Journal.generationOf(Journal.newest(spool()).orElseThrow()) > start, "bounded growth");
        assertEquals(20, q.list().size());
        for (QueueEntry e : q.list()) {
            assertEquals(body, new String(q.content(e.queueId()).orElseThrow(), StandardCharsets.US_ASCII));
        }
    }
}
