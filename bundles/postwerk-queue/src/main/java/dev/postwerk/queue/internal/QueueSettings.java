package dev.postwerk.queue.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The queue's configuration, parsed and checked once.
 *
 * @param spool the spool folder
 * @param deliveryThreads delivery workers
 * @param retrySchedule delays after the 1st, 2nd, ... temporary failure; the last repeats
 * @param maxLifetime after this time in the queue, pending recipients are bounced
 * @param overQuotaRetry a full mailbox counts as temporary this long after arrival
 * @param postmaster the From: address of DSNs
 * @param hostname this MTA's name in DSNs
 * @param bounceSizeLimit larger messages come back with their header only
 * @param compactSize journal size that triggers a compaction
 * @param inlineMax messages up to this size are written inline in the journal (0: never)
 * @param delayWarning age after which one delay notice goes out; zero sends none
 */
record QueueSettings(Path spool, int deliveryThreads, List<Duration> retrySchedule, Duration maxLifetime,
        Duration overQuotaRetry, String postmaster, String hostname, long bounceSizeLimit, long compactSize,
        int inlineMax, Duration delayWarning) {

    QueueSettings {
        retrySchedule = List.copyOf(retrySchedule);
        if (retrySchedule.isEmpty()) {
            throw new IllegalArgumentException("empty retry schedule");
        }
    }

    static QueueSettings defaults(Path spool) {
        String host = localHostName();
        return new QueueSettings(spool, 4, parseSchedule("1m,5m,15m,1h"), Duration.ofDays(5), Duration.ofDays(1),
                "postmaster@" + host, host, 256 * 1024, 64 * 1024 * 1024, 128 * 1024, Duration.ofHours(4));
    }

    static QueueSettings from(QueueConfig c) {
        String host = c.hostname().isBlank() ? localHostName() : c.hostname().strip();
        return new QueueSettings(spoolFolder(c.spool_folder()), Math.max(1, c.delivery_threads()),
                parseSchedule(c.retry_schedule()), parseDuration(c.max_lifetime()), parseDuration(c.over_quota_retry()),
                c.postmaster().isBlank() ? "postmaster@" + host : c.postmaster().strip(), host,
                Math.max(0, c.bounce_size_limit()), Math.max(4096, c.journal_compact_size()),
                Math.max(0, c.spool_inline_max()), parseDuration(c.delay_warning()));
    }

    /** The delay after the {@code failures}-th temporary failure (1-based). */
    Duration retryDelay(int failures) {
        return retrySchedule.get(Math.min(Math.max(failures, 1), retrySchedule.size()) - 1);
    }

    static Path spoolFolder(String configured) {
        Path data = Path.of(System.getProperty("karaf.data", "data"));
        if (configured == null || configured.isBlank()) {
            return data.resolve("spool");
        }
        return data.resolve(configured.strip());
    }

    static List<Duration> parseSchedule(String text) {
        List<Duration> list = new ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                list.add(parseDuration(part));
            }
        }
        return list;
    }

    /** {@code 30s}, {@code 5m}, {@code 1h}, {@code 5d}; a bare number is seconds. */
    static Duration parseDuration(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        char unit = t.charAt(t.length() - 1);
        String digits = Character.isDigit(unit) ? t : t.substring(0, t.length() - 1).strip();
        long n;
        try {
            n = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a duration: " + text + " (e.g. 30s, 5m, 1h, 5d)", e);
        }
        if (n < 0) {
            throw new IllegalArgumentException("negative duration: " + text);
        }
        return switch (unit) {
            case 'd' -> Duration.ofDays(n);
            case 'h' -> Duration.ofHours(n);
            case 'm' -> Duration.ofMinutes(n);
            case 's' -> Duration.ofSeconds(n);
            default -> {
                if (Character.isDigit(unit)) {
                    yield Duration.ofSeconds(n);
                }
                throw new IllegalArgumentException("unknown unit in duration: " + text + " (s, m, h or d)");
            }
        };
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    QueueSettings withSchedule(List<Duration> schedule, Duration lifetime) {
        return new QueueSettings(spool, deliveryThreads, schedule, lifetime, overQuotaRetry, postmaster, hostname,
                bounceSizeLimit, compactSize, inlineMax, delayWarning);
    }

    QueueSettings withOverQuotaRetry(Duration d) {
        return new QueueSettings(spool, deliveryThreads, retrySchedule, maxLifetime, d, postmaster, hostname,
                bounceSizeLimit, compactSize, inlineMax, delayWarning);
    }

    /** 0 workers: nothing is delivered (the spool benchmark measures commits alone). */
    QueueSettings withDeliveryThreads(int threads) {
        return new QueueSettings(spool, threads, retrySchedule, maxLifetime, overQuotaRetry, postmaster, hostname,
                bounceSizeLimit, compactSize, inlineMax, delayWarning);
    }

    QueueSettings withCompactSize(long size) {
        return new QueueSettings(spool, deliveryThreads, retrySchedule, maxLifetime, overQuotaRetry, postmaster, hostname,
                bounceSizeLimit, size, inlineMax, delayWarning);
    }

    QueueSettings withDelayWarning(Duration d) {
        return new QueueSettings(spool, deliveryThreads, retrySchedule, maxLifetime, overQuotaRetry, postmaster, hostname,
                bounceSizeLimit, compactSize, inlineMax, d);
    }

    QueueSettings withInlineMax(int max) {
        return new QueueSettings(spool, deliveryThreads, retrySchedule, maxLifetime, overQuotaRetry, postmaster, hostname,
                bounceSizeLimit, compactSize, max, delayWarning);
    }
}
