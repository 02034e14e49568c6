package dev.postwerk.api.store;

import java.util.List;

/** A change to one folder, with the folder's MODSEQ after the change. */
public sealed interface MailboxEvent {

    /** The folder's full name. */
    String mailbox();

    /** The folder's highest MODSEQ once the change was made. */
    long modSeq();

    /** A message was added (delivery, APPEND, COPY or MOVE into the folder). */
    record Appended(String mailbox, long modSeq, MessageInfo message) implements MailboxEvent {
    }

    /** A message's flags changed. */
    record FlagsChanged(String mailbox, long modSeq, MessageInfo message) implements MailboxEvent {
    }

    /** Messages were removed; UIDs ascending. */
    record Expunged(String mailbox, long modSeq, List<Long> uids) implements MailboxEvent {
        public Expunged {
            uids = List.copyOf(uids);
        }
    }

    /** The folder was deleted or renamed away; sessions that selected it must deselect. */
    record Removed(String mailbox, long modSeq) implements MailboxEvent {
    }
}
