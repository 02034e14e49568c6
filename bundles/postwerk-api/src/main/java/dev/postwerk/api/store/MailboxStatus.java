package dev.postwerk.api.store;

/**
 * Counters of a folder (IMAP SELECT/STATUS, POP3 STAT).
 *
 * @param messages number of messages
 * @param unseen number of messages without {@code \Seen}
 * @param uidValidity RFC 3501 §2.3.1.1; changes only if UIDs had to be reassigned
 * @param uidNext the UID the next message will get, at least
 * @param highestModSeq RFC 7162 HIGHESTMODSEQ
 * @param size total octets of all messages
 */
public record MailboxStatus(long messages, long unseen, long uidValidity, long uidNext, long highestModSeq, long size) {
}
