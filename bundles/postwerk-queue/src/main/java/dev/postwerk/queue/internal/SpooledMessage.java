package dev.postwerk.queue.internal;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.postwerk.api.filter.Verdict;
import dev.postwerk.api.mail.Envelope;
import dev.postwerk.api.queue.QueueEntry;
import dev.postwerk.queue.internal.JournalRecord.Committed;
import dev.postwerk.queue.internal.JournalRecord.Deferred;
import dev.postwerk.queue.internal.JournalRecord.DelayNotified;
import dev.postwerk.queue.internal.JournalRecord.InFlight;
import dev.postwerk.queue.internal.JournalRecord.RecipientDone;
import dev.postwerk.queue.internal.JournalRecord.TargetDone;

/**
 * A committed message as the queue holds it in memory: the journal's state of it, plus scheduling.
 * Mutable, guarded by its own monitor; only one delivery worker handles a message at a time.
 */
final class SpooledMessage {

    /** Progress of one envelope recipient. */
    static final class RecipientState {
        boolean done;
        boolean failed;
        String status = "";
        String diagnostic = "";
        int attempts;
        String lastError = "";
        /** Routing targets finished ("local:user", "remote:address"). */
        final Map<String, TargetDone> targets = new LinkedHashMap<>();
        /** Local appends that may have happened, by target. */
        final Map<String, InFlight> inFlight = new LinkedHashMap<>();
    }

    final String id;
    final Instant arrived;
    final long size;
    final Envelope envelope;
    final Verdict.Changes dataChanges;
    /** The message's own file {@code msg/<id>}: where it is, or where compaction moves it from the journal. */
    final Path file;
    /** Where the octets are now; changes only once, from a journal slice to {@link #file}. */
    volatile SpoolData data;
    final RecipientState[] recipients;

    /** A delay notice was sent (guarded by this). */
    boolean delayNotified;

    // scheduling, guarded by this
    int generation;
    boolean running;
    boolean retryRequested;
    boolean deleted;
    boolean waitingForService;
    Instant nextAttempt;
    int attemptRuns;

    SpooledMessage(Committed c, Path file, SpoolData data) {
        this.data = data;
        this.id = c.queueId();
        this.arrived = c.arrived();
        this.size = c.size();
        this.envelope = c.envelope();
        this.dataChanges = c.dataChanges();
        this.file = file;
        this.recipients = new RecipientState[envelope.recipients().size()];
        for (int i = 0; i < recipients.length; i++) {
            recipients[i] = new RecipientState();
        }
        this.nextAttempt = Instant.now();
    }

    /** Applies a journal record (replay, or a change made by a worker). Out-of-range indexes are ignored. */
    synchronized void apply(JournalRecord record) {
        if (record instanceof InFlight f && valid(f.recipient())) {
            recipients[f.recipient()].inFlight.put(f.target(), f);
        } else if (record instanceof TargetDone t && valid(t.recipient())) {
            recipients[t.recipient()].targets.put(t.target(), t);
            recipients[t.recipient()].inFlight.remove(t.target());
        } else if (record instanceof RecipientDone r && valid(r.recipient())) {
            RecipientState s = recipients[r.recipient()];
            s.done = true;
            s.failed = r.failed();
            s.status = r.status();
            s.diagnostic = r.diagnostic();
        } else if (record instanceof DelayNotified) {
            delayNotified = true;
        } else if (record instanceof Deferred d && valid(d.recipient())) {
            recipients[d.recipient()].attempts = d.attempts();
            recipients[d.recipient()].lastError = d.lastError();
        }
    }

    private boolean valid(int index) {
        return index >= 0 && index < recipients.length;
    }

    /**
     * Opens the message's octets. A compaction may move them from the journal to their own file
     * and delete the old journal generation between reading {@link #data} and opening it; the
     * move sets {@link #data} before the deletion, so one more try finds the file.
     */
    java.io.InputStream openData() throws java.io.IOException {
        SpoolData where = data;
        try {
            return where.open();
        } catch (java.nio.file.NoSuchFileException e) {
            SpoolData now = data;
            if (now.equals(where)) {
                throw e;
            }
            return now.open();
        }
    }

    synchronized boolean finished() {
        for (RecipientState r : recipients) {
            if (!r.done) {
                return false;
            }
        }
        return true;
    }

    /** The records that rebuild this message's state in a compacted journal. */
    synchronized List<JournalRecord> records() {
        List<JournalRecord> list = new ArrayList<>();
        list.add(new Committed(id, arrived, size, envelope, dataChanges));
        if (delayNotified) {
            list.add(new DelayNotified(id));
        }
        for (int i = 0; i < recipients.length; i++) {
            RecipientState s = recipients[i];
            if (s.done) {
                list.add(new RecipientDone(id, i, s.failed, s.status, s.diagnostic));
                continue;
            }
            list.addAll(s.targets.values());
            list.addAll(s.inFlight.values());
            if (s.attempts > 0 || !s.lastError.isEmpty()) {
                list.add(new Deferred(id, i, s.attempts, s.lastError));
            }
        }
        return list;
    }

    synchronized QueueEntry entry() {
        List<QueueEntry.PendingRecipient> pending = new ArrayList<>();
        for (int i = 0; i < recipients.length; i++) {
            RecipientState s = recipients[i];
            if (!s.done) {
                pending.add(new QueueEntry.PendingRecipient(envelope.recipients().get(i), s.attempts,
                        s.lastError.isEmpty() ? Optional.empty() : Optional.of(s.lastError)));
            }
        }
        return new QueueEntry(id, envelope, size, arrived, pending,
                running ? Optional.empty() : Optional.ofNullable(nextAttempt));
    }
}
