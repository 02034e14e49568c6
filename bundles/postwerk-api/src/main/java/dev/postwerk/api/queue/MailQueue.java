package dev.postwerk.api.queue;

import java.util.List;
import java.util.Optional;

import dev.postwerk.api.mail.Envelope;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The durable spool and the delivery behind it. SMTP streams each accepted message into a
 * {@link SpoolWriter} and answers 250 only once {@link SpoolWriter#commit(Envelope, dev.postwerk.api.filter.Verdict.Changes)} has returned: from
 * then on the queue owns the message until every recipient is delivered or bounced.
 */
@ProviderType
public interface MailQueue {

    /**
     * Starts spooling one message.
     *
     * @throws QueueException when the spool cannot take mail now (SMTP 451/452)
     */
    SpoolWriter begin(Envelope envelope) throws QueueException;

    /** Messages in the queue, oldest first. */
    List<QueueEntry> list();

    /** One message by queue id. */
    Optional<QueueEntry> find(String queueId);

    /** Schedules an immediate delivery attempt of one message; false when unknown. */
    boolean retry(String queueId);

    /** Schedules immediate attempts for every message with recipients in {@code domain} (ETRN, RFC 1985). */
    int retryDomain(String domain);

    /** Removes a message without delivering or bouncing it (admin action); false when unknown. */
    boolean delete(String queueId);
}
