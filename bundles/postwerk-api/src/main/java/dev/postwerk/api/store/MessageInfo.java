package dev.postwerk.api.store;

import java.time.Instant;
import java.util.Objects;

/**
 * What a folder knows of one message without reading it.
 *
 * @param uid the message's UID in its folder
 * @param size exact octets of its content
 * @param internalDate IMAP INTERNALDATE (arrival time)
 * @param flags system flags and keywords
 * @param modSeq MODSEQ of the message's last change (RFC 7162)
 */
public record MessageInfo(long uid, long size, Instant internalDate, Flags flags, long modSeq) {
    public MessageInfo {
        if (uid <= 0) {
            throw new IllegalArgumentException("UID must be positive: " + uid);
        }
        Objects.requireNonNull(internalDate, "internalDate");
        Objects.requireNonNull(flags, "flags");
    }
}
