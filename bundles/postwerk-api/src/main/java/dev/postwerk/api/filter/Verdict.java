package dev.postwerk.api.filter;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A filter's answer for one stage. The chain stops at the first verdict that is not
 * {@link Proceed}; {@link Proceed} with changes accumulates them and goes on.
 */
public sealed interface Verdict {

    /** Go on with the next filter; no changes. */
    static Verdict proceed() {
        return Proceed.NONE;
    }

    /** Go on with the next filter, applying these changes. */
    static Verdict proceedWith(Changes changes) {
        return new Proceed(changes);
    }

    /** Accept now: skip the remaining filters of this stage. */
    static Verdict accept() {
        return Accept.INSTANCE;
    }

    /** Refuse permanently with this 5xx reply. */
    static Verdict reject(int code, String status, String text) {
        return new Reject(new Reply(code, status, text));
    }

    /** Refuse for now with this 4xx reply; the client will try again. */
    static Verdict tempFail(int code, String status, String text) {
        return new TempFail(new Reply(code, status, text));
    }

    /** Continue, possibly with changes. */
    record Proceed(Changes changes) implements Verdict {
        static final Proceed NONE = new Proceed(Changes.NONE);

        public Proceed {
            Objects.requireNonNull(changes, "changes");
        }
    }

    /** Accept without asking the remaining filters. */
    record Accept() implements Verdict {
        static final Accept INSTANCE = new Accept();
    }

    /** A permanent refusal (5xx). */
    record Reject(Reply reply) implements Verdict {
        public Reject {
            if (reply.code() < 500) {
                throw new IllegalArgumentException("a rejection is 5xx");
            }
        }
    }

    /** A temporary refusal (4xx). */
    record TempFail(Reply reply) implements Verdict {
        public TempFail {
            if (reply.code() >= 500) {
                throw new IllegalArgumentException("a temporary failure is 4xx");
            }
        }
    }

    /**
     * Changes a filter asks for.
     *
     * @param addHeaders header fields to prepend
     * @param removeHeaders names of header fields to remove (case-insensitive)
     * @param folder folder to file the message into at delivery (e.g. {@code Junk})
     * @param dropRecipient at RCPT or delivery: silently drop this recipient (accept, don't deliver)
     */
    record Changes(List<HeaderField> addHeaders, Set<String> removeHeaders, Optional<String> folder,
            boolean dropRecipient) {
        public static final Changes NONE = new Changes(List.of(), Set.of(), Optional.empty(), false);

        public Changes {
            addHeaders = List.copyOf(addHeaders);
            removeHeaders = Set.copyOf(removeHeaders);
            Objects.requireNonNull(folder, "folder");
        }

        public static Changes addHeader(String name, String value) {
            return new Changes(List.of(new HeaderField(name, value)), Set.of(), Optional.empty(), false);
        }

        public static Changes fileInto(String folder) {
            return new Changes(List.of(), Set.of(), Optional.of(folder), false);
        }

        public static Changes drop() {
            return new Changes(List.of(), Set.of(), Optional.empty(), true);
        }
    }
}
