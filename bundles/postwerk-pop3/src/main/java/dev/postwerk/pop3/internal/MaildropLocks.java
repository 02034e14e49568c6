package dev.postwerk.pop3.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exclusive POP3 access to a maildrop (RFC 1939 §8: the server acquires an exclusive-access
 * lock on the maildrop), and the time of each user's last login for LOGIN-DELAY (RFC 2449 §6.5).
 * Shared by every listener of this bundle in the JVM, so a client cannot step around either by
 * using the other port. IMAP sessions and delivery do not take this lock: RFC 1939 only asks
 * that two POP3 sessions never share message numbers of one maildrop.
 */
final class MaildropLocks {

    static final MaildropLocks SHARED = new MaildropLocks(Clock.systemUTC());

    /** Past this many remembered logins, old ones are forgotten (bounded memory). */
    private static final int MAX_REMEMBERED_LOGINS = 10_000;

    private final Map<String, Lease> held = new ConcurrentHashMap<>();
    private final Map<String, Instant> lastLogin = new ConcurrentHashMap<>();
    private final Clock clock;

    MaildropLocks(Clock clock) {
        this.clock = clock;
    }

    /** The lock of {@code user}'s maildrop, or empty when another POP3 session holds it. */
    Optional<Lease> tryLock(String user) {
        Lease lease = new Lease(user);
        return held.putIfAbsent(user, lease) == null ? Optional.of(lease) : Optional.empty();
    }

    boolean isLocked(String user) {
        return held.containsKey(user);
    }

    /**
     * Records a login of {@code user} now, unless the previous one was less than {@code minimum}
     * ago; returns false then (and keeps the earlier time, so waiting is what lets the user in).
     */
    boolean loginAllowed(String user, Duration minimum) {
        Instant now = clock.instant();
        if (minimum.isZero()) {
            return true;
        }
        if (lastLogin.size() > MAX_REMEMBERED_LOGINS) {
            lastLogin.values().removeIf(t -> t.isBefore(now.minus(minimum)));
        }
        boolean[] allowed = {true};
        lastLogin.compute(user, (u, previous) -> {
            if (previous != null && now.isBefore(previous.plus(minimum))) {
                allowed[0] = false;
                return previous;
            }
            return now;
        });
        return allowed[0];
    }

    /** A held lock; closing it twice does nothing. */
    final class Lease implements AutoCloseable {
        private final String user;

        private Lease(String user) {
            this.user = user;
        }

        String user() {
            return user;
        }

        @Override
        public void close() {
            held.remove(user, this);
        }
    }
}
