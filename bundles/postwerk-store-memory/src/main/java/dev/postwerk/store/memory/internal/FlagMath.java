package dev.postwerk.store.memory.internal;

import java.util.EnumSet;
import java.util.Set;
import java.util.TreeSet;

import dev.postwerk.api.store.Flags;
import dev.postwerk.api.store.Mailbox.FlagChange;

/** How IMAP STORE FLAGS, +FLAGS and -FLAGS combine flags (RFC 3501 §6.4.6). */
final class FlagMath {

    private FlagMath() {
    }

    static Flags apply(Flags current, FlagChange change, Flags given) {
        switch (change) {
        case REPLACE:
            return given;
        case ADD: {
            Set<Flags.Flag> system = copy(current.system());
            system.addAll(given.system());
            Set<String> keywords = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
            keywords.addAll(current.keywords());
            keywords.addAll(given.keywords());
            return new Flags(system, keywords);
        }
        case REMOVE: {
            Set<Flags.Flag> system = copy(current.system());
            system.removeAll(given.system());
            // Keywords compare without case (RFC 3501 §2.3.2): remove through a case-blind set.
            Set<String> keywords = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
            keywords.addAll(current.keywords());
            for (String k : given.keywords()) {
                keywords.remove(k);
            }
            return new Flags(system, keywords);
        }
        default:
            throw new IllegalArgumentException(change.toString());
        }
    }

    private static Set<Flags.Flag> copy(Set<Flags.Flag> flags) {
        return flags.isEmpty() ? EnumSet.noneOf(Flags.Flag.class) : EnumSet.copyOf(flags);
    }
}
