package dev.postwerk.api.store;

import java.util.List;

/**
 * Result of a copy or move, for the COPYUID response code (RFC 4315 §3).
 *
 * @param targetUidValidity UIDVALIDITY of the target folder
 * @param sourceUids UIDs copied, ascending
 * @param targetUids the new UIDs, in the same order
 */
public record CopyResult(long targetUidValidity, List<Long> sourceUids, List<Long> targetUids) {
    public CopyResult {
        sourceUids = List.copyOf(sourceUids);
        targetUids = List.copyOf(targetUids);
        if (sourceUids.size() != targetUids.size()) {
            throw new IllegalArgumentException("source and target UID lists differ in length");
        }
    }
}
