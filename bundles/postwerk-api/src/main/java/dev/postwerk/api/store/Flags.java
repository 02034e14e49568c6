package dev.postwerk.api.store;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * System flags and keywords of a message (RFC 3501 §2.3.2). Keywords are atoms without a
 * backslash, compared case-insensitively by IMAP; they are kept as first given.
 */
public record Flags(Set<Flag> system, Set<String> keywords) {

    public static final Flags NONE = new Flags(Set.of(), Set.of());

    public Flags {
        system = system.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(system));
        TreeSet<String> k = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (String keyword : keywords) {
            Objects.requireNonNull(keyword, "keyword");
            if (keyword.isEmpty() || keyword.startsWith("\\")) {
                throw new IllegalArgumentException("not a keyword: " + keyword);
            }
            k.add(keyword);
        }
        keywords = Collections.unmodifiableSet(k);
    }

    public static Flags of(Flag... flags) {
        return new Flags(flags.length == 0 ? Set.of() : EnumSet.of(flags[0], flags), Set.of());
    }

    public boolean contains(Flag flag) {
        return system.contains(flag);
    }

    /**
     * These flags changed as IMAP STORE FLAGS, +FLAGS or -FLAGS do (RFC 3501 §6.4.6); keywords
     * compare without case (RFC 3501 §2.3.2). Every store applies changes through this one rule.
     */
    public Flags apply(Mailbox.FlagChange change, Flags given) {
        switch (change) {
            case REPLACE:
                return given;
            case ADD: {
                Set<Flag> s = system.isEmpty() ? EnumSet.noneOf(Flag.class) : EnumSet.copyOf(system);
                s.addAll(given.system());
                Set<String> k = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
                k.addAll(keywords);
                k.addAll(given.keywords());
                return new Flags(s, k);
            }
            case REMOVE: {
                Set<Flag> s = system.isEmpty() ? EnumSet.noneOf(Flag.class) : EnumSet.copyOf(system);
                s.removeAll(given.system());
                Set<String> k = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
                k.addAll(keywords);
                for (String keyword : given.keywords()) {
                    k.remove(keyword); // through the case-blind set
                }
                return new Flags(s, k);
            }
            default:
                throw new IllegalArgumentException(change.toString());
        }
    }

    /** RFC 3501 system flags that are stored (\Recent is per session and not stored). */
    public enum Flag {
        SEEN("\\Seen"), ANSWERED("\\Answered"), FLAGGED("\\Flagged"), DELETED("\\Deleted"), DRAFT("\\Draft");

        private final String imapName;

        Flag(String imapName) {
            this.imapName = imapName;
        }

        /** The name as IMAP writes it, with its backslash. */
        public String imapName() {
            return imapName;
        }
    }
}
