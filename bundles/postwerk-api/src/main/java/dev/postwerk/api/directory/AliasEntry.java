package dev.postwerk.api.directory;

import java.util.List;
import java.util.Objects;

import dev.postwerk.api.mail.MailAddress;

/**
 * An alias: mail to {@code source} goes to every target, local or remote.
 *
 * @param source {@code local@domain}, or {@code @domain} for the domain's catch-all
 * @param targets where the mail goes, at least one
 */
public record AliasEntry(String source, List<MailAddress> targets) {

    public AliasEntry {
        Objects.requireNonNull(source, "source");
        targets = List.copyOf(targets);
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("an alias needs at least one target");
        }
    }

    /** True for a domain's catch-all ({@code @domain}). */
    public boolean isCatchAll() {
        return source.startsWith("@");
    }
}
