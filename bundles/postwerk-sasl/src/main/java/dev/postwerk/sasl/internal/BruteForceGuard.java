package dev.postwerk.sasl.internal;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import dev.postwerk.api.sasl.AuthGuard;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts failed logins per client address and per account, as Dovecot's auth penalty does:
 * failure replies wait longer with each failure (doubling up to a cap), and an address with too
 * many failures in the window is refused for a while. Account counters only ever delay failures,
 * never refuse: an attacker guessing one account from many addresses cannot lock its owner out.
 */
@Component(service = AuthGuard.class, configurationPid = "dev.postwerk.sasl.guard")
@Designate(ocd = GuardConfig.class)
public class BruteForceGuard implements AuthGuard {

    private static final Logger LOG = LoggerFactory.getLogger(BruteForceGuard.class);

    /**
     * Settings.
     *
     * @param initialDelay delay after the first failure
     * @param maxDelay cap of the delay
     * @param blockThreshold failures of one address in the window that get it refused
     * @param window how long failures count
     * @param blockDuration how long an address stays refused
     * @param maxEntries tracked addresses (and, separately, accounts)
     */
    record Settings(Duration initialDelay, Duration maxDelay, int blockThreshold, Duration window,
            Duration blockDuration, int maxEntries) {

        static final Settings DEFAULT = new Settings(Duration.ofMillis(500), Duration.ofSeconds(15), 10,
                Duration.ofMinutes(10), Duration.ofMinutes(15), 50000);

        static Settings from(GuardConfig c) {
            return new Settings(Duration.ofMillis(Math.max(0, c.delay_initial())), Duration.ofMillis(Math.max(0, c.delay_max())),
                    Math.max(1, c.block_threshold()), Duration.ofSeconds(Math.max(1, c.window())),
                    Duration.ofSeconds(Math.max(0, c.block_duration())), Math.max(16, c.max_entries()));
        }
    }

    /** Failures of one key in the current window. Mutated only under the map's lock. */
    private static final class Counter {
        int failures;
        Instant windowStart;
        Instant refusedUntil = Instant.MIN;

        Counter(Instant now) {
            windowStart = now;
        }

        void expire(Instant now, Duration window) {
            if (!now.isBefore(windowStart.plus(window))) {
                failures = 0;
                windowStart = now;
            }
        }
    }

    /** An access-ordered map that forgets its least recently used entry past a size. */
    private static final class Lru extends LinkedHashMap<String, Counter> {
        private static final long serialVersionUID = 1L;
        private final int max;

        Lru(int max) {
            super(64, 0.75f, true);
            this.max = max;
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Counter> eldest) {
            return size() > max;
        }
    }

    private final Clock clock;
    private volatile Settings settings = Settings.DEFAULT;
    private Lru addresses = new Lru(Settings.DEFAULT.maxEntries());
    private Lru accounts = new Lru(Settings.DEFAULT.maxEntries());

    public BruteForceGuard() {
        this(Clock.systemUTC(), Settings.DEFAULT);
    }

    BruteForceGuard(Clock clock, Settings settings) {
        this.clock = clock;
        configure(settings);
    }

    @Activate
    @Modified
    void activate(GuardConfig config) {
        configure(Settings.from(config));
    }

    synchronized void configure(Settings s) {
        this.settings = s;
        Lru newAddresses = new Lru(s.maxEntries());
        newAddresses.putAll(addresses);
        Lru newAccounts = new Lru(s.maxEntries());
        newAccounts.putAll(accounts);
        addresses = newAddresses;
        accounts = newAccounts;
    }

    @Override
    public synchronized Optional<Duration> refusedFor(InetAddress client) {
        Counter c = addresses.get(addressKey(client));
        Instant now = clock.instant();
        if (c == null || !now.isBefore(c.refusedUntil)) {
            return Optional.empty();
        }
        return Optional.of(Duration.between(now, c.refusedUntil));
    }

    @Override
    public synchronized Duration failed(InetAddress client, String account) {
        Settings s = settings;
        Instant now = clock.instant();
        String key = addressKey(client);
        Counter byAddress = addresses.computeIfAbsent(key, k -> new Counter(now));
        byAddress.expire(now, s.window());
        byAddress.failures++;
        Counter byAccount = accounts.computeIfAbsent(accountKey(account), k -> new Counter(now));
        byAccount.expire(now, s.window());
        byAccount.failures++;
        if (byAddress.failures >= s.blockThreshold() && !now.isBefore(byAddress.refusedUntil)) {
            byAddress.refusedUntil = now.plus(s.blockDuration());
            // an admin wants to know; the account name is not a secret, the attempted password never reaches here
            LOG.warn("Refusing logins from {} for {} s after {} failures (last for account {})", key,
                    s.blockDuration().toSeconds(), byAddress.failures, account);
        }
        return delay(Math.max(byAddress.failures, byAccount.failures), s);
    }

    @Override
    public synchronized void succeeded(InetAddress client, String account) {
        // The owner proved who they are: their own typos should not keep the delays an attacker
        // caused. The address counter stays: an attacker with one valid account could otherwise
        // reset it between guesses at others.
        accounts.remove(accountKey(account));
    }

    /** Tracked entries, for tests of the memory bound. */
    synchronized int trackedEntries() {
        return addresses.size() + accounts.size();
    }

    private static Duration delay(int failures, Settings s) {
        int doublings = Math.min(failures - 1, 30);
        long ms = s.initialDelay().toMillis() << Math.max(0, doublings);
        if (ms < 0 || ms > s.maxDelay().toMillis()) {
            ms = s.maxDelay().toMillis();
        }
        return Duration.ofMillis(ms);
    }

    /** Names come from the client: cut to a bounded length so the memory bound holds in octets too. */
    private static String accountKey(String account) {
        String key = account.strip().toLowerCase(Locale.ROOT);
        return key.length() > 256 ? key.substring(0, 256) : key;
    }

    /** IPv6 clients are counted per /64: one subscriber gets a whole /64 and can rotate within it at will. */
    static String addressKey(InetAddress client) {
        if (client instanceof Inet6Address v6) {
            byte[] prefix = Arrays.copyOf(v6.getAddress(), 16);
            Arrays.fill(prefix, 8, 16, (byte) 0);
            try {
                return InetAddress.getByAddress(prefix).getHostAddress() + "/64";
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e); // cannot happen for a 16-octet array
            }
        }
        return client.getHostAddress();
    }
}
