package dev.postwerk.api.store;

import java.util.Objects;
import java.util.Set;

/**
 * A folder as LIST shows it.
 *
 * @param name full name with {@link UserMailboxes#HIERARCHY_DELIMITER}
 * @param specialUse RFC 6154 attributes
 * @param hasChildren true when sub-folders exist (RFC 3348 \HasChildren)
 */
public record MailboxInfo(String name, Set<SpecialUse> specialUse, boolean hasChildren) {
    public MailboxInfo {
        Objects.requireNonNull(name, "name");
        specialUse = Set.copyOf(specialUse);
    }
}
