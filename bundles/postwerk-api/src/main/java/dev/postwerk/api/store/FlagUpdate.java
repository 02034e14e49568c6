package dev.postwerk.api.store;

import java.util.List;

/**
 * Result of {@link Mailbox#updateFlags}.
 *
 * @param updated messages as they are now (changed or not), ascending UID
 * @param failedModified UIDs not changed because their MODSEQ was above UNCHANGEDSINCE (RFC 7162 MODIFIED)
 */
public record FlagUpdate(List<MessageInfo> updated, List<Long> failedModified) {
    public FlagUpdate {
        updated = List.copyOf(updated);
        failedModified = List.copyOf(failedModified);
    }
}
