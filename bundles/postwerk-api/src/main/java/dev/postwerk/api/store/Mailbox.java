package dev.postwerk.api.store;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import dev.postwerk.api.mail.MessageContent;

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
