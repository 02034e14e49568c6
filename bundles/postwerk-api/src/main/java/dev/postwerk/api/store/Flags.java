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
