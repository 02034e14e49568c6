package dev.postwerk.itests.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.postwerk.testkit.net.LineClient;

/**
 * DESIGN.md rule 1 under a real crash: clients send concurrently, the server JVM gets SIGKILL at a
 * random moment, and after a restart every message that got "250" is delivered exactly once (and
 * no message is delivered twice). A larger run of the same shape lives in benchmarks/.
 */
class CrashRecoveryIT {

    // small by default (the test suite); benchmarks/crash.sh runs the same test with a large N
    private static final int CLIENTS = Integer.getInteger("crash.clients", 8);
    private static final int MAX_MESSAGES = Integer.getInteger("crash.messages", 400);
    /** The kill comes after a random number of acknowledgements below this (at least 60). */
    private static final int KILL_WITHIN = Integer.getInteger("crash.killWithin", 240);
    private RunningServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void everyAcknowledgedMessageIsDeliveredExactlyOnceAfterKill9() throws Exception {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        Random random = new Random(seed);
        int killAfter = 60 + random.nextInt(Math.max(1, Math.min(KILL_WITHIN, MAX_MESSAGES) - 60));
        server = RunningServer.unpack("crash");
        int mx = RunningServer.freePort();
        server.set("dev.postwerk.smtp-mx.cfg", Map.of("port", String.valueOf(mx), "host", "127.0.0.1"));
        for (String cfg : List.of("dev.postwerk.smtp-submission.cfg", "dev.postwerk.smtp-smtps.cfg",
                "dev.postwerk.pop3-plain.cfg", "dev.postwerk.pop3-pop3s.cfg", "dev.postwerk.transport.probe-diag.cfg")) {
            server.set(cfg, Map.of("port", String.valueOf(RunningServer.freePort()), "host", "127.0.0.1"));
        }
        server.set("org.apache.karaf.shell.cfg", Map.of("sshPort", String.valueOf(RunningServer.freePort())));
        server.configure("postwerk-users.conf", "domain bench.test\nuser crash@bench.test\n");
        // compact the journal often, so that crashes also hit compactions
        server.set("dev.postwerk.queue.cfg", Map.of("journal.compact.size", "8192"));
        server.start(mx, Duration.ofSeconds(60));

        Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean crashed = new AtomicBoolean();
        CountDownLatch enough = new CountDownLatch(killAfter);
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        for (int t = 0; t < CLIENTS; t++) {
            clients.submit(() -> send(mx, next, acknowledged, enough, crashed));
        }
        assertTrue(enough.await(Math.max(120, MAX_MESSAGES / 20), TimeUnit.SECONDS),
                "messages were acknowledged before the crash");
        server.kill();
        crashed.set(true);
        clients.shutdown();
        assertTrue(clients.awaitTermination(60, TimeUnit.SECONDS));
        int attempted = next.get();

        server.start(mx, Duration.ofSeconds(60));
        Map<Integer, Integer> delivered = awaitDeliveries(acknowledged);
        for (int n : acknowledged) {
            assertEquals(1, delivered.getOrDefault(n, 0), "acknowledged message " + n + " (seed " + seed + ")");
        }
        delivered.forEach((n, count) -> assertEquals(1, count, "message " + n + " delivered twice (seed " + seed + ")"));
        assertTrue(acknowledged.size() >= killAfter);
        System.out.printf("crash test: seed %d, killed after %d acks, %d attempted, %d acknowledged, %d delivered%n",
                seed, killAfter, attempted, acknowledged.size(), delivered.size());
    }

    private static void send(int port, AtomicInteger next, Set<Integer> acknowledged, CountDownLatch enough,
            AtomicBoolean crashed) {
        while (!crashed.get()) {
            try (LineClient c = LineClient.connect("127.0.0.1", port, Duration.ofSeconds(30))) {
                c.readLine();
                c.send("EHLO crash.test");
                while (true) {
                    String line = c.readLine();
                    if (line == null || line.startsWith("250 ")) {
                        break;
                    }
                }
                while (!crashed.get()) {
                    int n = next.getAndIncrement();
                    if (n >= MAX_MESSAGES) {
                        return;
                    }
                    c.raw("MAIL FROM:<load@remote.test>\r\nRCPT TO:<crash@bench.test>\r\nDATA\r\n");
                    if (!c.readLine().startsWith("250") || !c.readLine().startsWith("250") || !c.readLine().startsWith("354")) {
                        return;
                    }
                    c.raw("Subject: crash-" + n + "\r\n\r\n" + "body line\r\n".repeat(100) + ".\r\n");
                    String reply = c.readLine();
                    if (reply != null && reply.startsWith("250 ")) {
                        acknowledged.add(n);
                        enough.countDown();
                    }
                }
            } catch (IOException e) {
                if (!crashed.get()) {
                    RunningServer.pause(50); // the connection broke before the crash: try again
                }
            }
        }
    }

    /**
     * Waits until every acknowledged message arrived and nothing more arrives for a while (small
     * messages are queued inside the journal, so an empty {@code spool/msg} says nothing: messages
     * committed but never acknowledged may still be on their way, and a duplicate could come after
     * the last expected copy); counts deliveries per message.
     */
    private Map<Integer, Integer> awaitDeliveries(Set<Integer> acknowledged) throws IOException {
        Path maildir = server.home().resolve("data/mail/bench.test/crash");
        Instant deadline = Instant.now().plus(Duration.ofSeconds(Math.max(120, MAX_MESSAGES / 50)));
        Map<Integer, Integer> last = Map.of();
        Instant lastChange = Instant.now();
        while (true) {
            Map<Integer, Integer> counts = count(maildir);
            if (!counts.equals(last)) {
                last = counts;
                lastChange = Instant.now();
            }
            boolean settled = Duration.between(lastChange, Instant.now()).compareTo(Duration.ofSeconds(3)) >= 0;
            if (counts.keySet().containsAll(acknowledged) && settled) {
                return counts;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("after restart: " + counts.size() + " delivered, " + acknowledged.size()
                        + " acknowledged");
            }
            RunningServer.pause(200);
        }
    }

    private static Map<Integer, Integer> count(Path maildir) throws IOException {
        Map<Integer, Integer> counts = new HashMap<>();
        for (String sub : List.of("new", "cur")) {
            Path dir = maildir.resolve(sub);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                        if (line.startsWith("Subject: crash-")) {
                            counts.merge(Integer.parseInt(line.substring("Subject: crash-".length()).trim()), 1, Integer::sum);
                            break;
                        }
                        if (line.isEmpty()) {
                            break;
                        }
                    }
                }
            }
        }
        return counts;
    }
}
