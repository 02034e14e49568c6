package dev.postwerk.queue.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import dev.postwerk.api.directory.UserDirectory;
import dev.postwerk.api.filter.FilterChain;
import dev.postwerk.api.mail.Envelope;
import dev.postwerk.api.queue.RelayTransport;
import dev.postwerk.api.queue.SpoolWriter;
import dev.postwerk.api.store.MailboxStore;

/**
 * Micro-benchmark (not a test): commits N messages of S octets from T threads into a fresh spool
 * and prints accepted messages per second and commit latency percentiles. No delivery runs (no
 * store, and no delivery workers unless {@code -Dworkers=N}), so it measures the durable spool alone:
 * file write + data fsync + grouped folder and journal fsyncs, plus the INFO line per message.
 *
 * <pre>
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) \
 *     dev.postwerk.queue.internal.SpoolCommitBenchmark [messages=5000] [threads=20] [size=4096] [folder]
 * </pre>
 */
public final class SpoolCommitBenchmark {

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int size = args.length > 2 ? Integer.parseInt(args[2]) : 4096;
        Path folder = args.length > 3 ? Path.of(args[3]) : Files.createTempDirectory("postwerk-spool-bench");
        Path spool = folder.resolve("spool");
        DeliveryServices none = new DeliveryServices() {
            @Override
            public Optional<MailboxStore> store() {
                return Optional.empty();
            }

            @Override
            public Optional<UserDirectory> directory() {
                return Optional.empty();
            }

            @Override
            public Optional<FilterChain> filters() {
                return Optional.empty();
            }

            @Override
            public Optional<RelayTransport> relay() {
                return Optional.empty();
            }
        };
        QueueSettings settings = QueueSettings.defaults(spool).withSchedule(
                List.of(java.time.Duration.ofDays(1)), java.time.Duration.ofDays(5)).withDeliveryThreads(
                        Integer.getInteger("workers", 0));
        byte[] body = body(size);
        Envelope envelope = Harness.envelope("sender@example.org", "alice@example.com");
        QueueService queue = new QueueService(settings, none, Clock.systemUTC());
        try {
            // warm-up, not counted
            run(queue, envelope, body, Math.min(500, messages), threads);
            long[] latencies = new long[messages];
            long start = System.nanoTime();
            run(queue, envelope, body, messages, threads, latencies);
            long elapsed = System.nanoTime() - start;
            Arrays.sort(latencies);
            double seconds = elapsed / 1e9;
            System.out.printf("spool commit: %d messages of %d octets from %d threads in %.2f s = %.0f msgs/s;"
                    + " commit latency p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", messages, size, threads, seconds,
                    messages / seconds, latencies[messages / 2] / 1e6, latencies[(int) (messages * 0.99)] / 1e6,
                    latencies[messages - 1] / 1e6);
            System.out.println("journal: " + queue.spool().batchStatistics());
        } finally {
            queue.stop();
            if (args.length <= 3) {
                try (Stream<Path> walk = Files.walk(folder)) {
                    walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    private static void run(QueueService queue, Envelope envelope, byte[] body, int messages, int threads) throws Exception {
        run(queue, envelope, body, messages, threads, new long[messages]);
    }

    private static void run(QueueService queue, Envelope envelope, byte[] body, int messages, int threads, long[] latencies)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                go.await();
                int i;
                while ((i = next.getAndIncrement()) < messages) {
                    long t0 = System.nanoTime();
                    commit(queue, envelope, body);
                    latencies[i] = System.nanoTime() - t0;
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
    }

    private static void commit(QueueService queue, Envelope envelope, byte[] body) throws Exception {
        try (SpoolWriter w = queue.begin(envelope)) {
            OutputStream out = w.content();
            out.write(body);
            w.commit(envelope);
        }
    }

    private static byte[] body(int size) throws IOException {
        StringBuilder b = new StringBuilder("Received: from client.example.net by mx.example.com; Thu, 26 Nov 2026 10:00:00 +0000\r\n"
                + "From: sender@example.org\r\nTo: alice@example.com\r\nSubject: benchmark\r\n\r\n");
        while (b.length() < size - 80) {
            b.append("The quick brown fox jumps over the lazy dog. 0123456789 abcdefghijklmnopqrstuv\r\n");
        }
        while (b.length() < size - 2) {
            b.append('x');
        }
        b.append("\r\n");
        return b.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
