package dev.postwerk.smtp.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Remembers for a few seconds whether a user's mailbox was full, so that a busy MX does not sum
 * a mailbox's usage at every RCPT. A mailbox that just filled up is refused a few seconds later
 * (the queue catches the messages in between). Bounded: past its size it starts over.
 */
final class MailboxFullCache {

    private record Answer(boolean full, long at) {
    }

    private static final int MAX_ENTRIES = 10_000;
    private final long ttlMillis;
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();

    MailboxFullCache(long ttlMillis) {
        this.ttlMillis = ttlMillis;
    }

    /** The remembered answer for {@code user} while it is fresh; empty when the store must be asked. */
    java.util.Optional<Boolean> cached(String user, long nowMillis) {
        Answer a = answers.get(user);
        return a != null && nowMillis - a.at() < ttlMillis ? java.util.Optional.of(a.full()) : java.util.Optional.empty();
    }

    boolean isFull(String user, BooleanSupplier check, long nowMillis) {
        java.util.Optional<Boolean> known = cached(user, nowMillis);
        if (known.isPresent()) {
            return known.get();
        }
        boolean full = check.getAsBoolean();
        if (answers.size() >= MAX_ENTRIES) {
            answers.clear();
        }
        answers.put(user, new Answer(full, nowMillis));
        return full;
    }
}
