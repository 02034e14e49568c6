package dev.postwerk.api.queue;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import dev.postwerk.api.mail.Envelope;
import dev.postwerk.api.mail.Recipient;

/**
 * A message in the queue as admins see it.
 *
 * @param queueId the id given in the 250 reply
 * @param envelope sender, recipients and origin
 * @param size octets of content
 * @param arrived when it was committed
 * @param pending recipients not yet delivered or bounced, with their last error
 * @param nextAttempt when delivery is next tried; empty while it is being tried
 */
public record QueueEntry(String queueId, Envelope envelope, long size, Instant arrived, List<PendingRecipient> pending,
        Optional<Instant> nextAttempt) {

    public QueueEntry {
        Objects.requireNonNull(queueId, "queueId");
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(arrived, "arrived");
        pending = List.copyOf(pending);
        Objects.requireNonNull(nextAttempt, "nextAttempt");
    }

    /**
     * A recipient still to deliver.
     *
     * @param recipient the recipient
     * @param attempts delivery attempts so far
     * @param lastError the last temporary error; empty before the first attempt
     */
    public record PendingRecipient(Recipient recipient, int attempts, Optional<String> lastError) {
        public PendingRecipient {
            Objects.requireNonNull(recipient, "recipient");
            Objects.requireNonNull(lastError, "lastError");
        }
    }
}
