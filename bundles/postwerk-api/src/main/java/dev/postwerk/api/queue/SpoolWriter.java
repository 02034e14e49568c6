package dev.postwerk.api.queue;

import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.postwerk.api.filter.Verdict;
import dev.postwerk.api.mail.Envelope;
import dev.postwerk.api.mail.MessageContent;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One message being written into the spool: stream the content, then {@link #commit(Envelope, Verdict.Changes)} or
 * {@link #abort()}. Exactly one of them must be called.
 */
@ProviderType
public interface SpoolWriter extends AutoCloseable {

    /**
     * The queue id this message will have once committed, known from the start so that the
     * {@code Received:} header and the logs name it (as Postfix's queue id does).
     */
    String queueId();

    /** Where the raw message goes (RFC 5322 bytes, CRLF line ends, dot-unstuffed). */
    OutputStream content();

    /**
     * What was written to {@link #content()} so far, readable again (the SMTP server hands it to
     * the data-stage filters before it commits). Call after the content stream was flushed.
     */
    MessageContent written();

    /**
     * Makes the message durable (file and directory fsync'ed, possibly grouped with other
     * sessions' commits) and hands it to delivery. Returns only once it is durable.
     *
     * @param envelope the final envelope (filters may have dropped recipients or added parameters)
     * @param dataChanges what the data-stage filters asked for, applied at delivery to every
     *        recipient: header fields to prepend or remove, a folder to file into
     * @return the queue id, to be shown in the 250 reply
     * @throws QueueException when it could not be made durable: the client must get a 4xx
     */
    String commit(Envelope envelope, Verdict.Changes dataChanges) throws QueueException;

    /**
     * {@link #commit(Envelope, Verdict.Changes)} without blocking the caller: the stage completes
     * with the queue id once the message is durable, or with a {@link QueueException} when it
     * could not be made durable. What would block (an fsync) happens on the spool's own threads,
     * and the stage may complete on one of them, so what follows it must not block either (a
     * network I/O thread waiting for a group commit holds no thread meanwhile). The default
     * commits on the caller's thread, for implementations without threads of their own.
     *
     * @since 1.2
     */
    default CompletionStage<String> commitAsync(Envelope envelope, Verdict.Changes dataChanges) {
        try {
            return CompletableFuture.completedFuture(commit(envelope, dataChanges));
        } catch (QueueException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * True when a message of {@code octets} octets in all (what was written so far and what is
     * about to be) is still held in memory, with room reserved for it: writing up to that many
     * octets, flushing and {@link #commitAsync} then touch no disk, so a session on a network
     * I/O thread may do them there. False once the message is in a file of its own or would not
     * fit the spool's memory limits; the default, for writers that write to disk.
     *
     * @since 1.2
     */
    default boolean keepsInMemory(long octets) {
        return false;
    }

    /** {@link #commit(Envelope, Verdict.Changes)} without changes. */
    default String commit(Envelope envelope) throws QueueException {
        return commit(envelope, Verdict.Changes.NONE);
    }

    /** Discards the message. Never throws. */
    void abort();

    /** Aborts unless committed. */
    @Override
    void close();
}
