package dev.postwerk.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.postwerk.api.mail.Envelope;
import dev.postwerk.api.mail.MailAddress;
import dev.postwerk.api.mail.Origin;
import dev.postwerk.api.mail.Recipient;
import dev.postwerk.api.queue.MailQueue;
import dev.postwerk.api.queue.QueueEntry;
import dev.postwerk.api.queue.SpoolWriter;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class QueueCommandsTest {

    /** A queue holding fixed entries, recording retries. */
    static final class FakeQueue implements MailQueue {
        final Map<String, QueueEntry> entries = new LinkedHashMap<>();
        final List<String> retried = new ArrayList<>();

        @Override
        public SpoolWriter begin(Envelope envelope) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<QueueEntry> list() {
            return List.copyOf(entries.values());
        }

        @Override
        public Optional<QueueEntry> find(String queueId) {
            return Optional.ofNullable(entries.get(queueId));
        }

        @Override
        public boolean retry(String queueId) {
            retried.add(queueId);
            return entries.containsKey(queueId);
        }

        @Override
        public int retryDomain(String domain) {
            retried.add("@" + domain);
            return 1;
        }

        @Override
        public boolean delete(String queueId) {
            return entries.remove(queueId) != null;
        }
    }

    FakeQueue queue = new FakeQueue();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream originalOut;

    @BeforeEach
    void setUp() {
        originalOut = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        Origin origin = new Origin("s1", "mx", new InetSocketAddress("192.0.2.1", 1234), Optional.of("client.test"),
                Optional.empty(), Optional.empty());
        Recipient alice = new Recipient(MailAddress.parse("alice@example.com"), Set.of(), Optional.of("rfc822;Alice@example.com"));
        Envelope env = new Envelope(Optional.of(MailAddress.parse("bob@example.org")), List.of(alice), origin,
                Map.of("ENVID", "x1"));
        queue.entries.put("00AAAAAAAAA1", new QueueEntry("00AAAAAAAAA1", env, 4096, Instant.parse("2026-11-26T10:00:00Z"),
                List.of(new QueueEntry.PendingRecipient(alice, 3, Optional.of("451 4.3.0 no mailbox store available"))),
                Optional.of(Instant.parse("2026-11-26T11:00:00Z"))));
        queue.entries.put("00AAAAAAAAA2", new QueueEntry("00AAAAAAAAA2", env.withRecipients(List.of(alice)).withRecipients(List.of(alice)),
                100, Instant.parse("2026-11-26T10:05:00Z"), List.of(), Optional.empty()));
    }

    @AfterEach
    void restore() {
        System.setOut(originalOut);
    }

    String output() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void queueListPrintsOneRowPerMessage() {
        QueueList c = new QueueList();
        c.queue = queue;
        c.execute();
        String text = output();
        assertTrue(text.lines().findFirst().orElseThrow().startsWith("Queue ID"), text);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("00AAAAAAAAA1") && l.contains("<bob@example.org>")
                && l.contains("2026-11-26 11:00:00Z") && l.contains("451 4.3.0")), text);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("00AAAAAAAAA2") && l.contains("now")), text);
    }

    @Test
    void queueListSaysWhenEmpty() {
        queue.entries.clear();
        QueueList c = new QueueList();
        c.queue = queue;
        c.execute();
        assertTrue(output().contains("mail queue is empty"), output());
    }

    @Test
    void queueShowPrintsEnvelopeAndPendingRecipients() {
        QueueShow c = new QueueShow();
        c.queue = queue;
        c.id = "00AAAAAAAAA1";
        c.execute();
        String text = output();
        assertTrue(text.contains("From:          <bob@example.org>"), text);
        assertTrue(text.contains("<alice@example.com>  attempts 3  ORCPT rfc822;Alice@example.com"), text);
        assertTrue(text.contains("last error: 451 4.3.0 no mailbox store available"), text);
        assertTrue(text.contains("Parameter:     ENVID=x1"), text);
    }

    @Test
    void queueShowOfAnUnknownIdFails() {
        QueueShow c = new QueueShow();
        c.queue = queue;
        c.id = "NOPE";
        assertEquals("no message NOPE in the queue", assertThrows(IllegalStateException.class, c::execute).getMessage());
    }

    @Test
    void queueRetryOneAllOrADomain() {
        QueueRetry c = new QueueRetry();
        c.queue = queue;
        c.id = "00AAAAAAAAA1";
        c.execute();
        assertEquals(List.of("00AAAAAAAAA1"), queue.retried);
        queue.retried.clear();
        c = new QueueRetry();
        c.queue = queue;
        c.execute();
        assertEquals(List.of("00AAAAAAAAA1", "00AAAAAAAAA2"), queue.retried);
        assertTrue(output().contains("2 message(s) scheduled for delivery now"), output());
        queue.retried.clear();
        c = new QueueRetry();
        c.queue = queue;
        c.domain = "example.com";
        c.execute();
        assertEquals(List.of("@example.com"), queue.retried);
    }

    @Test
    void queueDeleteRemovesAndRefusesUnknownIds() {
        QueueDelete c = new QueueDelete();
        c.queue = queue;
        c.id = "00AAAAAAAAA1";
        c.execute();
        assertTrue(queue.entries.keySet().equals(Set.of("00AAAAAAAAA2")));
        assertTrue(output().contains("Message 00AAAAAAAAA1 deleted"));
        assertThrows(IllegalStateException.class, c::execute);
    }
}
