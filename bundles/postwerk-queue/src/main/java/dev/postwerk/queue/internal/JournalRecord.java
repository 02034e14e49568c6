package dev.postwerk.queue.internal;

import java.time.Instant;
import java.util.Objects;

import dev.postwerk.api.filter.Verdict;
import dev.postwerk.api.mail.Envelope;

/**
 * One entry of the queue journal. Every record is an idempotent "set" on the state of one message,
 * so replaying a record twice (as happens for records appended while the journal is compacted)
 * changes nothing, and a record for a message that no longer exists is ignored.
 */
sealed interface JournalRecord {

    String queueId();

    /**
     * The message is complete and durable; the queue owns it from now on. Its octets are either in
     * its own fsync'ed file {@code msg/<queueId>} ({@code inlineOffset} -1), or written inline right
     * after this record in the same journal frame, starting at {@code inlineOffset} of the journal
     * file (known only when read back; a record being written has -1 and carries the octets
     * separately, see {@link JournalCodec#frameInline}). {@code dataChanges} are the data-stage
     * filters' changes, applied to every recipient at delivery.
     *
     * <p>{@code alongside} are records about <em>other</em> messages that must become durable in the
     * same frame as this one, all or nothing: a bounce is committed together with the
     * {@code RecipientDone} records of the recipients it reports, so that a crash can neither lose
     * the bounce nor send it twice.
     */
    record Committed(String queueId, Instant arrived, long size, Envelope envelope, Verdict.Changes dataChanges,
            long inlineOffset, java.util.List<JournalRecord> alongside) implements JournalRecord {
        public Committed {
            Objects.requireNonNull(queueId);
            Objects.requireNonNull(arrived);
            Objects.requireNonNull(envelope);
            Objects.requireNonNull(dataChanges);
            alongside = java.util.List.copyOf(alongside);
            if (alongside.stream().anyMatch(r -> r instanceof Committed)) {
                throw new IllegalArgumentException("a commit cannot carry another commit");
            }
        }

        Committed(String queueId, Instant arrived, long size, Envelope envelope, Verdict.Changes dataChanges) {
            this(queueId, arrived, size, envelope, dataChanges, -1, java.util.List.of());
        }

        Committed withInlineOffset(long offset) {
            return new Committed(queueId, arrived, size, envelope, dataChanges, offset, alongside);
        }

        Committed withAlongside(java.util.List<JournalRecord> records) {
            return new Committed(queueId, arrived, size, envelope, dataChanges, inlineOffset, records);
        }

        boolean inline() {
            return inlineOffset >= 0;
        }
    }

    /**
     * Written and forced before a local append: the append to {@code folder} of {@code target} may have
     * happened. The next attempt (after a crash, or after an error) first looks for a message of
     * {@code expectedSize} octets with a UID of at least {@code uidNext} in that folder.
     */
    record InFlight(String queueId, int recipient, String target, String folder, long uidNext, long expectedSize)
            implements JournalRecord {
    }

    /** One routing target (local user or remote address) of a recipient is finished, well or badly. */
    record TargetDone(String queueId, int recipient, String target, boolean failed, String status, String diagnostic)
            implements JournalRecord {
    }

    /** A recipient is finished: delivered (or handed on), or failed for good (bounced or not). */
    record RecipientDone(String queueId, int recipient, boolean failed, String status, String diagnostic)
            implements JournalRecord {
    }

    /** A temporary failure, for {@code mail:queue-show} and the retry counter. */
    record Deferred(String queueId, int recipient, int attempts, String lastError) implements JournalRecord {
    }

    /** A delay notice (RFC 3461 NOTIFY=DELAY) went out for this message; there is at most one. */
    record DelayNotified(String queueId) implements JournalRecord {
    }

    /** The message left the queue (every recipient finished, or an admin deleted it). */
    record Removed(String queueId) implements JournalRecord {
    }
}
