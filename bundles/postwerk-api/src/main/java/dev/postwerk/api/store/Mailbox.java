package dev.postwerk.api.store;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import dev.postwerk.api.mail.MessageContent;
import dev.postwerk.api.mail.MessageParser;
import dev.postwerk.api.mail.MessageStructure;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * One folder. Messages are named by UID: strictly ascending within a UIDVALIDITY, never reused
 * (RFC 3501 §2.3.1.1). Every change raises the folder's MODSEQ (RFC 7162) and is published to
 * the folder's listeners in order. Methods may be called from several threads.
 */
@ConsumerType
public interface Mailbox {

    /** The folder's full name, with {@link UserMailboxes#HIERARCHY_DELIMITER}. */
    String name();

    /** Counters as of now. */
    MailboxStatus status() throws StoreException;

    /** A snapshot of every message, by ascending UID. */
    List<MessageInfo> messages() throws StoreException;

    /** One message by UID, if it exists. */
    Optional<MessageInfo> message(long uid) throws StoreException;

    /** The raw bytes of a message, streamed. */
    MessageContent content(long uid) throws StoreException;

    /**
     * The ENVELOPE fields and MIME structure of a message, with byte offsets into
     * {@link #content}, for IMAP FETCH ENVELOPE, BODYSTRUCTURE and {@code BODY[section]}. A message
     * never changes, so stores parse it once with the {@link MessageParser} service and cache the
     * result for as long as the message exists.
     *
     * <p>The default, for stores that keep no such cache, answers {@code UNAVAILABLE}; a protocol
     * may then parse {@link #content} with a {@link MessageParser} itself.
     *
     * @throws StoreException {@code NOT_FOUND} when there is no message with that UID;
     *         {@code UNAVAILABLE} when the message must be parsed and no {@link MessageParser}
     *         is available (IMAP: {@code NO [UNAVAILABLE]}), or it cannot be read
     * @since 1.1
     */
    default MessageStructure structure(long uid) throws StoreException {
        throw new StoreException(StoreException.Reason.UNAVAILABLE, "this store keeps no message structures");
    }

    /**
     * Adds a message; returns once it is durable.
     *
     * @param internalDate the IMAP INTERNALDATE; empty means now
     * @return the new message, with its UID and MODSEQ
     * @throws StoreException {@code OVER_QUOTA} when the user's quota would be exceeded
     */
    MessageInfo append(MessageContent content, Flags flags, Optional<Instant> internalDate) throws StoreException;

    /**
     * Changes the flags of messages (IMAP STORE). With {@code unchangedSince} (RFC 7162
     * CONDSTORE), messages whose MODSEQ is higher are left alone and reported as failed.
     */
    FlagUpdate updateFlags(Collection<Long> uids, FlagChange change, Flags flags, OptionalLong unchangedSince)
            throws StoreException;

    /**
     * Removes messages flagged {@code \Deleted}: all of them, or only those among {@code uids}
     * when given (UID EXPUNGE). Returns the UIDs removed, ascending.
     */
    List<Long> expunge(Optional<Collection<Long>> uids) throws StoreException;

    /** Copies messages to another folder of the same user; the result maps old to new UIDs. */
    CopyResult copyTo(Collection<Long> uids, String targetFolder) throws StoreException;

    /** Moves messages to another folder of the same user (RFC 6851), atomically per message. */
    CopyResult moveTo(Collection<Long> uids, String targetFolder) throws StoreException;

    /**
     * UIDs expunged after {@code modSeq}, for QRESYNC {@code VANISHED (EARLIER)} (RFC 7162
     * §3.2.5.1). Empty when the store no longer knows that far back and the client must resync.
     */
    Optional<List<Long>> expungedSince(long modSeq) throws StoreException;

    /** Starts publishing this folder's changes to {@code listener}, until the registration is closed. */
    ListenerRegistration addListener(MailboxListener listener);

    /** Handle to stop listening. */
    interface ListenerRegistration extends AutoCloseable {
        @Override
        void close();
    }

    /** How {@link #updateFlags} combines the given flags with the message's (IMAP FLAGS, +FLAGS, -FLAGS). */
    enum FlagChange {
        REPLACE, ADD, REMOVE
    }
}
