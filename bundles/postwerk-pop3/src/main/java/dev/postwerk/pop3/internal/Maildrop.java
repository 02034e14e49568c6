package dev.postwerk.pop3.internal;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import dev.postwerk.api.mail.MessageContent;
import dev.postwerk.api.store.Flags;
import dev.postwerk.api.store.Mailbox;
import dev.postwerk.api.store.MailboxStatus;
import dev.postwerk.api.store.MailboxStore;
import dev.postwerk.api.store.MessageInfo;
import dev.postwerk.api.store.StoreException;
import dev.postwerk.api.store.UserMailboxes;

/**
 * A user's INBOX as one POP3 session sees it: the messages present at login, numbered from 1
 * (RFC 1939 §5: messages delivered later are not listed until the next session), with the
 * session's deletion marks. Nothing changes in the store before {@link #update}, which is what
 * QUIT does; a dropped connection only {@link #release}s, so it deletes nothing.
 *
 * <p>Compact on purpose (arrays, no per-message objects): it lives as long as the session.
 */
final class Maildrop {

    private final UserMailboxes user;
    private final Mailbox inbox;
    private final MaildropLocks.Lease lease;
    private final long uidValidity;
    private final long[] uids;
    private final long[] sizes;
    private final BitSet deleted = new BitSet();
    private final BitSet retrieved = new BitSet();
    private boolean released;

    private Maildrop(UserMailboxes user, Mailbox inbox, MaildropLocks.Lease lease, long uidValidity,
            List<MessageInfo> messages) {
        this.user = user;
        this.inbox = inbox;
        this.lease = lease;
        this.uidValidity = uidValidity;
        this.uids = new long[messages.size()];
        this.sizes = new long[messages.size()];
        for (int i = 0; i < uids.length; i++) {
            uids[i] = messages.get(i).uid();
            sizes[i] = messages.get(i).size();
        }
    }

    /** Takes the snapshot of {@code lease.user()}'s INBOX; the lease is owned by the maildrop from now on. */
    static Maildrop open(MailboxStore store, MaildropLocks.Lease lease) throws StoreException {
        UserMailboxes user = store.open(lease.user());
        try {
            Mailbox inbox = user.mailbox(MailboxStore.INBOX);
            MailboxStatus status = inbox.status();
            List<MessageInfo> messages = inbox.messages();
            return new Maildrop(user, inbox, lease, status.uidValidity(), messages);
        } catch (StoreException | RuntimeException e) {
            user.close();
            throw e;
        }
    }

    String user() {
        return lease.user();
    }

    /** Messages in the snapshot, deleted ones included: the highest valid message number. */
    int size() {
        return uids.length;
    }

    /** True when {@code number} names a message of the snapshot (deleted or not). */
    boolean inRange(long number) {
        return number >= 1 && number <= uids.length;
    }

    boolean isDeleted(int number) {
        return deleted.get(number - 1);
    }

    /** Messages not marked deleted (STAT, RFC 1939 §5). */
    int liveCount() {
        return uids.length - deleted.cardinality();
    }

    /** Octets of the messages not marked deleted. */
    long liveOctets() {
        long total = 0;
        for (int i = 0; i < uids.length; i++) {
            if (!deleted.get(i)) {
                total += sizes[i];
            }
        }
        return total;
    }

    /**
     * The size LIST and STAT give: the stored octets, which is what the client has once it
     * removed the dot-stuffing (RFC 1939 §5 and §11: the count is before stuffing).
     */
    long octets(int number) {
        return sizes[number - 1];
    }

    /**
     * The unique-id (RFC 1939 §7): UIDVALIDITY "." UID. The store never reuses a UID within a
     * UIDVALIDITY, and both survive restarts, so the id names the same message in every session
     * and no other message ever; 1 to 41 printable ASCII characters (the RFC allows 70).
     */
    String uniqueId(int number) {
        return uidValidity + "." + uids[number - 1];
    }

    void delete(int number) {
        deleted.set(number - 1);
    }

    void markRetrieved(int number) {
        retrieved.set(number - 1);
    }

    /** RSET (RFC 1939 §5): unmarks every deletion. */
    void reset() {
        deleted.clear();
    }

    /** The message's bytes as stored; NOT_FOUND when another session expunged it meanwhile. */
    MessageContent content(int number) throws StoreException {
        return inbox.content(uids[number - 1]);
    }

    /**
     * The UPDATE state (RFC 1939 §6): flags the marked messages {@code \Deleted} and expunges
     * exactly those, through the store, so IMAP sessions see them go and nothing another client
     * flagged is touched. With {@code alsoRetrieved} (EXPIRE 0), retrieved messages go too.
     *
     * @return the number of messages removed
     */
    int update(boolean alsoRetrieved) throws StoreException {
        BitSet remove = (BitSet) deleted.clone();
        if (alsoRetrieved) {
            remove.or(retrieved);
        }
        if (remove.isEmpty()) {
            return 0;
        }
        List<Long> marked = new ArrayList<>(remove.cardinality());
        remove.stream().forEach(i -> marked.add(uids[i]));
        inbox.updateFlags(marked, Mailbox.FlagChange.ADD, Flags.of(Flags.Flag.DELETED), OptionalLong.empty());
        return inbox.expunge(Optional.of(marked)).size();
    }

    /** Closes the user's folders and frees the lock; safe to call more than once. */
    void release() {
        if (released) {
            return;
        }
        released = true;
        try {
            user.close();
        } finally {
            lease.close();
        }
    }
}
