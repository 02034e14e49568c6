package dev.postwerk.queue.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.postwerk.api.filter.Verdict;
import dev.postwerk.api.mail.Envelope;
import dev.postwerk.api.mail.MessageContent;
import dev.postwerk.api.mail.MailAddress;
import dev.postwerk.api.mail.Recipient;
import dev.postwerk.api.queue.MailQueue;
import dev.postwerk.api.queue.QueueEntry;
import dev.postwerk.api.queue.QueueException;
import dev.postwerk.api.queue.SpoolWriter;
import dev.postwerk.queue.internal.Delivery.Kind;
import dev.postwerk.queue.internal.Delivery.Result;
import dev.postwerk.queue.internal.JournalRecord.Deferred;
import dev.postwerk.queue.internal.JournalRecord.RecipientDone;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue: the {@link Spool} plus delivery workers, retries and bounces. Plain Java so tests
 * drive it directly; {@link MailQueueComponent} wires it into OSGi.
 *
 * <p>Scheduling: each message waiting for an attempt has one ticket in a {@link DelayQueue};
 * a fixed set of worker threads (never the committing SMTP thread) take due tickets. A
 * message is handled by one worker at a time; {@code retry} while it runs asks for another
 * attempt right after. Tickets carry a generation so a rescheduled message's old ticket is
 * ignored. After an attempt, delivered recipients and bounces are recorded, and the message
 * is either removed (no recipient left) or given its next attempt from the retry schedule,
 * until the maximum lifetime bounces what is left.
 */
final class QueueService implements MailQueue {

    private static final Logger LOG = LoggerFactory.getLogger(QueueService.class);

    private final class Ticket implements Delayed {
        final SpooledMessage message;
        final int generation;
        final long dueNanos;
        final boolean poison;

        Ticket(SpooledMessage message, int generation, long dueNanos, boolean poison) {
            this.message = message;
            this.generation = generation;
            this.dueNanos = dueNanos;
            this.poison = poison;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            Ticket t = (Ticket) o;
            if (poison != t.poison) {
                return poison ? -1 : 1;
            }
            return Long.compare(dueNanos, t.dueNanos);
        }
    }

    private final QueueSettings settings;
    private final DeliveryServices services;
    private final Clock clock;
    private final Spool spool;
    private final Delivery delivery;
    private final DeliveryStatusNotification dsn;
    private final DelayQueue<Ticket> tickets = new DelayQueue<>();
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicInteger busy = new AtomicInteger();
    private volatile boolean stopping;

    QueueService(QueueSettings settings, DeliveryServices services, Clock clock) throws IOException {
        this.settings = settings;
        this.services = services;
        this.clock = clock;
        this.spool = new Spool(settings.spool(), settings.compactSize(), settings.inlineMax());
        this.delivery = new Delivery(spool, services, settings, clock);
        this.dsn = new DeliveryStatusNotification(settings.hostname(), settings.postmaster(), settings.bounceSizeLimit());
        spool.onCommitted(m -> schedule(m, Duration.ZERO));
        for (SpooledMessage m : spool.sorted()) {
            schedule(m, Duration.ZERO);
        }
        for (int i = 0; i < settings.deliveryThreads(); i++) {
            Thread t = new Thread(this::work, "postwerk-queue-delivery-" + (i + 1));
            t.setDaemon(true);
            workers.add(t);
        }
        workers.forEach(Thread::start);
    }

    QueueSettings settings() {
        return settings;
    }

    Spool spool() {
        return spool;
    }

    private void logQueued(String id, Envelope envelope) {
        LOG.info("Queue {}: from=<{}> rcpts={} size={} queued", id, envelope.sender().map(MailAddress::toString).orElse(""),
                envelope.recipients().size(), spool.get(id).map(m -> m.size).orElse(-1L));
    }

    @Override
    public SpoolWriter begin(Envelope envelope) throws QueueException {
        if (stopping) {
            throw new QueueException("the queue is stopping");
        }
        SpoolWriter w = spool.begin(envelope);
        return new SpoolWriter() {
            @Override
            public String queueId() {
                return w.queueId();
            }

            @Override
            public OutputStream content() {
                return w.content();
            }

            @Override
            public MessageContent written() {
                return w.written();
            }

            @Override
            public String commit(Envelope finalEnvelope, Verdict.Changes dataChanges) throws QueueException {
                String id = w.commit(finalEnvelope, dataChanges);
                logQueued(id, finalEnvelope);
                return id;
            }

            @Override
            public boolean keepsInMemory(long octets) {
                return w.keepsInMemory(octets);
            }

            @Override
            public CompletionStage<String> commitAsync(Envelope finalEnvelope, Verdict.Changes dataChanges) {
                return w.commitAsync(finalEnvelope, dataChanges).thenApply(id -> {
                    logQueued(id, finalEnvelope);
                    return id;
                });
            }

            @Override
            public void abort() {
                w.abort();
            }

            @Override
            public void close() {
                w.close();
            }
        };
    }

    @Override
    public List<QueueEntry> list() {
        return spool.sorted().stream().map(SpooledMessage::entry).toList();
    }

    @Override
    public Optional<QueueEntry> find(String queueId) {
        return spool.get(queueId).map(SpooledMessage::entry);
    }

    /** The spooled octets of a queued message (tests, and whoever needs to look at one). */
    Optional<byte[]> content(String queueId) throws java.io.IOException {
        Optional<SpooledMessage> m = spool.get(queueId);
        if (m.isEmpty()) {
            return Optional.empty();
        }
        try (java.io.InputStream in = m.get().openData()) {
            return Optional.of(in.readNBytes((int) m.get().size));
        }
    }

    @Override
    public boolean retry(String queueId) {
        Optional<SpooledMessage> m = spool.get(queueId);
        m.ifPresent(this::retryNow);
        return m.isPresent();
    }

    /** Every message now (mail:queue-retry without id). */
    int retryAll() {
        int n = 0;
        for (SpooledMessage m : spool.sorted()) {
            retryNow(m);
            n++;
        }
        return n;
    }

    @Override
    public int retryDomain(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        int n = 0;
        for (SpooledMessage m : spool.sorted()) {
            boolean match = false;
            synchronized (m) {
                for (int i = 0; i < m.recipients.length && !match; i++) {
                    match = !m.recipients[i].done && m.envelope.recipients().get(i).address().domain().equals(d);
                }
            }
            if (match) {
                retryNow(m);
                n++;
            }
        }
        return n;
    }

    @Override
    public boolean delete(String queueId) {
        Optional<SpooledMessage> found = spool.get(queueId);
        if (found.isEmpty()) {
            return false;
        }
        SpooledMessage m = found.get();
        synchronized (m) {
            m.deleted = true;
            m.generation++;
        }
        try {
            spool.remove(m, true);
        } catch (IOException e) {
            LOG.warn("Queue {}: deletion not recorded: {}", queueId, e.toString());
        }
        LOG.info("Queue {}: from=<{}> deleted by an administrator", queueId, m.envelope.sender().map(MailAddress::toString).orElse(""));
        return true;
    }

    /** A service arrived: messages that waited for one are tried now. */
    void serviceArrived() {
        for (SpooledMessage m : spool.sorted()) {
            boolean waiting;
            synchronized (m) {
                // a running attempt may be about to find the service missing: it goes again right after
                waiting = m.waitingForService || m.running;
            }
            if (waiting) {
                retryNow(m);
            }
        }
    }

    private void retryNow(SpooledMessage m) {
        synchronized (m) {
            if (m.running) {
                m.retryRequested = true;
                return;
            }
        }
        schedule(m, Duration.ZERO);
    }

    private void schedule(SpooledMessage m, Duration delay) {
        Ticket t;
        synchronized (m) {
            if (m.deleted) {
                return;
            }
            m.generation++;
            m.nextAttempt = clock.instant().plus(delay);
            t = new Ticket(m, m.generation, System.nanoTime() + delay.toNanos(), false);
        }
        tickets.add(t);
    }

    private void work() {
        while (true) {
            Ticket t;
            try {
                t = tickets.take();
            } catch (InterruptedException e) {
                return;
            }
            if (t.poison) {
                return;
            }
            SpooledMessage m = t.message;
            synchronized (m) {
                if (m.deleted || m.running || t.generation != m.generation) {
                    continue;
                }
                m.running = true;
                m.retryRequested = false;
            }
            busy.incrementAndGet();
            try {
                attempt(m);
            } catch (RuntimeException e) {
                LOG.error("Queue {}: delivery attempt failed unexpectedly; retrying later", m.id, e);
                finishRun(m, Optional.of(settings.retryDelay(1)), false);
            } finally {
                busy.decrementAndGet();
            }
        }
    }

    private void attempt(SpooledMessage m) {
        if (!spool.get(m.id).isPresent() || stopping) {
            finishRun(m, Optional.empty(), false);
            return;
        }
        Map<Integer, Result> results = delivery.attempt(m);
        Instant now = clock.instant();
        boolean expired = Duration.between(m.arrived, now).compareTo(settings.maxLifetime()) >= 0;
        List<DeliveryStatusNotification.Failure> bounce = new ArrayList<>();
        List<DeliveryStatusNotification.Failure> successNotices = new ArrayList<>();
        List<DeliveryStatusNotification.Failure> delayNotices = new ArrayList<>();
        List<Integer> failedIndexes = new ArrayList<>();
        List<String> failedStatus = new ArrayList<>();
        boolean serviceMissing = false;
        int maxAttempts = 0;
        for (Map.Entry<Integer, Result> e : results.entrySet()) {
            int i = e.getKey();
            Result r = e.getValue();
            Recipient rcpt = m.envelope.recipients().get(i);
            if (r.kind() == Kind.TEMPORARY && expired) {
                // RFC 3464 §2.3.4: the last temporary status, reported as a failure
                r = new Result(Kind.PERMANENT, r.status().startsWith("4.") ? r.status() : "4.4.7",
                        r.diagnostic() + " (delivery time expired after " + settings.maxLifetime().toDays() + " days)",
                        r.remoteMta(), false);
            }
            switch (r.kind()) {
                case DONE -> {
                    RecipientDone done = new RecipientDone(m.id, i, false, r.status(), r.diagnostic());
                    m.apply(done); // memory before journal: see Spool#recordDurably
                    spool.recordLazily(done);
                    if (rcpt.notifyOn().contains(Recipient.DsnNotify.SUCCESS)) {
                        successNotices.add(new DeliveryStatusNotification.Failure(rcpt,
                                r.status().startsWith("2.") ? r.status() : "2.0.0", r.diagnostic(), r.remoteMta()));
                    }
                }
                case TEMPORARY -> {
                    int attempts;
                    synchronized (m) {
                        attempts = m.recipients[i].attempts + 1;
                    }
                    maxAttempts = Math.max(maxAttempts, attempts);
                    Deferred d = new Deferred(m.id, i, attempts, r.diagnostic());
                    m.apply(d);
                    spool.recordLazily(d);
                    serviceMissing |= r.serviceMissing();
                    LOG.info("Queue {}: to=<{}> deferred: {}", m.id, rcpt.address(), r.diagnostic());
                    if (wantsDelayNotice(rcpt)) {
                        delayNotices.add(new DeliveryStatusNotification.Failure(rcpt,
                                r.status().startsWith("4.") ? r.status() : "4.0.0", r.diagnostic(), r.remoteMta(),
                                DeliveryStatusNotification.Action.DELAYED));
                    }
                }
                case PERMANENT -> {
                    failedIndexes.add(i);
                    failedStatus.add(r.status() + " " + r.diagnostic());
                    if (wantsFailureNotice(rcpt)) {
                        bounce.add(new DeliveryStatusNotification.Failure(rcpt, r.status(), r.diagnostic(), r.remoteMta()));
                    }
                    LOG.info("Queue {}: to=<{}> failed: {}", m.id, rcpt.address(), r.diagnostic());
                }
            }
        }
        sendDelayNotice(m, delayNotices, now);
        if (sendNotice(m, successNotices, now, Optional.empty(), List.of()) == Notice.FAILED) {
            // best effort: the deliveries happened; a lost success notice is logged, not retried
            LOG.warn("Queue {}: success notice for {} recipient(s) not sent", m.id, successNotices.size());
        }
        if (!failedIndexes.isEmpty()) {
            List<JournalRecord> done = new ArrayList<>();
            for (int i : failedIndexes) {
                Result r = results.get(i);
                done.add(new RecipientDone(m.id, i, true, r.status(), r.diagnostic()));
            }
            // the bounce and the records that the recipients are finished go into one journal
            // frame: a crash between the two would otherwise send the bounce again
            Notice sent = sendNotice(m, bounce, now, Optional.empty(), done);
            if (sent == Notice.FAILED) {
                // the DSN could not be queued: keep the recipients and try again later
                finishRun(m, Optional.of(settings.retryDelay(1)), false);
                return;
            }
            if (sent == Notice.NONE) {
                for (JournalRecord d : done) {
                    m.apply(d);
                    try {
                        // forced: a lost record would bounce the recipient a second time
                        spool.recordDurably(d);
                    } catch (IOException e) {
                        LOG.warn("Queue {}: failure not recorded: {}", m.id, e.toString());
                    }
                }
            }
        }
        if (m.finished()) {
            try {
                spool.remove(m, false);
            } catch (IOException e) {
                LOG.warn("Queue {}: removal not recorded: {}", m.id, e.toString());
            }
            LOG.debug("Queue {}: removed, every recipient delivered or bounced", m.id);
            finishRun(m, Optional.empty(), false);
            return;
        }
        finishRun(m, Optional.of(settings.retryDelay(Math.max(1, maxAttempts))), serviceMissing);
    }

    /**
     * RFC 3461 §4.1: no NOTIFY means the server's default, FAILURE. SUCCESS notices are sent after
     * delivery, DELAY notices once a message waits longer than the configured delay.
     */
    private static boolean wantsFailureNotice(Recipient r) {
        return r.notifyOn().isEmpty() || r.notifyOn().contains(Recipient.DsnNotify.FAILURE);
    }

    /**
     * NOTIFY=DELAY asks for it; without NOTIFY the server decides (RFC 3461 §4.1), and like
     * sendmail we warn then too: a sender waiting hours for an answer wants to know.
     */
    private static boolean wantsDelayNotice(Recipient r) {
        return r.notifyOn().isEmpty() || r.notifyOn().contains(Recipient.DsnNotify.DELAY);
    }

    /**
     * One delay notice per message, for the recipients still deferred once the message is older
     * than {@code delay.warning}; recorded durably so that neither a retry nor a restart repeats it.
     */
    private void sendDelayNotice(SpooledMessage m, List<DeliveryStatusNotification.Failure> deferred, Instant now) {
        Duration after = settings.delayWarning();
        if (deferred.isEmpty() || after.isZero() || Duration.between(m.arrived, now).compareTo(after) < 0) {
            return;
        }
        synchronized (m) {
            if (m.delayNotified) {
                return;
            }
        }
        JournalRecord.DelayNotified done = new JournalRecord.DelayNotified(m.id);
        Notice sent = sendNotice(m, deferred, now, Optional.of(m.arrived.plus(settings.maxLifetime())), List.of(done));
        if (sent == Notice.NONE) {
            m.apply(done);
            try {
                spool.recordDurably(done);
            } catch (IOException e) {
                LOG.warn("Queue {}: delay notice not recorded: {}", m.id, e.toString());
            }
        } // FAILED: tried again at the next attempt; SENT: recorded with the notice
    }

    /**
     * Queues one DSN for the failures. Nothing to send (null sender, or NOTIFY excluded every
     * failure) is success. RFC 3464 §3 / RFC 5321 §4.5.5: a DSN goes out with the null reverse-path,
     * and a message with the null reverse-path never gets one, so bounces cannot loop.
     */
    /** What became of a notice: queued (with the records given), nothing to send, or not queued. */
    private enum Notice {
        SENT, NONE, FAILED
    }

    /**
     * Queues one notice for {@code failures}, committed together with {@code alongside} (records
     * about {@code m}, applied to it once durable) when there is one to send.
     */
    private Notice sendNotice(SpooledMessage m, List<DeliveryStatusNotification.Failure> failures, Instant now,
            Optional<Instant> retryUntil, List<JournalRecord> alongside) {
        if (failures.isEmpty()) {
            return Notice.NONE;
        }
        if (m.envelope.sender().isEmpty()) {
            LOG.info("Queue {}: undeliverable message from the null sender dropped (no bounce of a bounce) for {} recipient(s)",
                    m.id, failures.size());
            return Notice.NONE;
        }
        MailAddress to = m.envelope.sender().get();
        Envelope envelope = new Envelope(Optional.empty(),
                List.of(new Recipient(to, Set.of(Recipient.DsnNotify.NEVER), Optional.empty())),
                m.envelope.origin(), bounceParameters(m.envelope));
        try (SpoolWriter w = spool.begin(envelope)) {
            dsn.write(w.content(), m.id, m.envelope, m.arrived, SpoolContent.of(m::openData, m.size), failures, now,
                    retryUntil);
            String id = spool.commit(w, envelope, alongside);
            LOG.info("Queue {}: {} notice {} queued to <{}> for {} recipient(s)", m.id,
                    failures.get(0).action().name().toLowerCase(Locale.ROOT), id, to, failures.size());
            return Notice.SENT;
        } catch (IOException | QueueException e) {
            LOG.warn("Queue {}: the bounce could not be queued: {}", m.id, e.toString());
            return Notice.FAILED;
        }
    }

    private static Map<String, String> bounceParameters(Envelope original) {
        boolean eightBit = original.parameter("BODY").map(b -> !b.equalsIgnoreCase("7BIT")).orElse(false)
                || original.parameter("SMTPUTF8").isPresent();
        return eightBit ? Map.of("BODY", "8BITMIME") : Map.of();
    }

    private void finishRun(SpooledMessage m, Optional<Duration> next, boolean serviceMissing) {
        boolean again;
        synchronized (m) {
            m.running = false;
            m.waitingForService = serviceMissing;
            m.attemptRuns++;
            again = m.retryRequested;
            m.retryRequested = false;
            m.notifyAll();
        }
        if (stopping || next.isEmpty()) {
            return;
        }
        schedule(m, again ? Duration.ZERO : next.get());
    }

    /** Stops the workers (letting running attempts finish, bounded), then closes the spool cleanly. */
    void stop() {
        stopping = true;
        for (int i = 0; i < workers.size(); i++) {
            tickets.add(new Ticket(null, 0, 0, true));
        }
        joinWorkers(Duration.ofSeconds(30));
        spool.close();
    }

    /** Stops as a crash would: nothing further reaches the disk (recovery tests). */
    void halt() {
        stopping = true;
        spool.halt();
        for (Thread t : workers) {
            t.interrupt();
        }
        joinWorkers(Duration.ofSeconds(30));
    }

    private void joinWorkers(Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        for (Thread t : workers) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (t.isAlive()) {
                LOG.warn("Queue delivery worker {} still busy at stop; interrupting it", t.getName());
                t.interrupt();
            }
        }
    }
}
