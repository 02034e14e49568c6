package dev.postwerk.benchmarks.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import dev.postwerk.api.mail.MessageContent;
import dev.postwerk.api.store.Flags;
import dev.postwerk.api.store.Mailbox;
import dev.postwerk.api.store.MailboxStatus;
import dev.postwerk.api.store.MessageInfo;
import dev.postwerk.api.store.UserMailboxes;
import dev.postwerk.store.maildir.internal.MaildirStore;
import dev.postwerk.store.maildir.internal.MaildirStoreConfig;
import dev.postwerk.testkit.osgi.ConfigAnnotations;

/**
 * The Maildir store's figures of issue 3: append throughput (every append fsyncs the file, the
 * directory and the UID-list log), opening a 100,000-message folder cold and warm, a flag change
 * in it, and UID lookups. Folders live under {@code -Dbench.dir} (default: the temp folder),
 * which should be on the disk the server would use.
 */
public class MaildirBenchmarks {

    static Path root(String name) throws IOException {
        Path base = Path.of(System.getProperty("bench.dir", System.getProperty("java.io.tmpdir")));
        Path dir = base.resolve("postwerk-jmh-" + name);
        delete(dir);
        return Files.createDirectories(dir);
    }

    static MaildirStore store(Path root) {
        return new MaildirStore(ConfigAnnotations.of(MaildirStoreConfig.class, Map.of("dataFolder", root.toString())));
    }

    static void delete(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    static byte[] message(int size) {
        StringBuilder sb = new StringBuilder("From: bench@example.test\r\nTo: user@example.test\r\nSubject: bench\r\n\r\n");
        while (sb.length() < size - 2) {
            sb.append("0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\r\n");
        }
        sb.setLength(size - 2);
        return sb.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Appends to one INBOX; each append returns only once durable. */
    @State(Scope.Benchmark)
    public static class AppendState {
        @Param({"4096", "102400"})
        public int size;
        Mailbox inbox;
        UserMailboxes mail;
        Path root;
        MessageContent content;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            root = root("append-" + size);
            mail = store(root).open("append@example.test");
            inbox = mail.mailbox("INBOX");
            content = MessageContent.ofBytes(message(size));
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            mail.close();
            delete(root);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Warmup(iterations = 1, time = 5)
    @Measurement(iterations = 3, time = 10)
    @Fork(1)
    @Threads(1)
    public MessageInfo appendOneWriter(AppendState s) throws Exception {
        return s.inbox.append(s.content, Flags.NONE, Optional.empty());
    }

    /** Several deliveries at once: their fsyncs overlap (the queue's delivery threads do this). */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Warmup(iterations = 1, time = 5)
    @Measurement(iterations = 3, time = 10)
    @Fork(1)
    @Threads(4)
    public MessageInfo appendFourWriters(AppendState s) throws Exception {
        return s.inbox.append(s.content, Flags.NONE, Optional.empty());
    }

    /**
     * As many writers as the queue has delivery threads (16): appends waiting for the folder join
     * one group commit (one new/ fsync and one UID-list fsync per batch).
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Warmup(iterations = 1, time = 5)
    @Measurement(iterations = 3, time = 10)
    @Fork(1)
    @Threads(16)
    public MessageInfo appendSixteenWriters(AppendState s) throws Exception {
        return s.inbox.append(s.content, Flags.NONE, Optional.empty());
    }

    /**
     * A folder of {@code messages} messages, written into cur/ the way another Maildir program
     * leaves them (as after a migration), then indexed once by the store.
     */
    @State(Scope.Benchmark)
    public static class LargeFolder {
        @Param({"100000"})
        public int messages;
        Path root;
        UserMailboxes mail;
        Mailbox inbox;
        long maxUid;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            root = root("large");
            try (UserMailboxes first = store(root).open("big@example.test")) {
                first.mailbox("INBOX").status(); // creates the Maildir
            }
            Path cur;
            try (Stream<Path> s = Files.walk(root)) {
                cur = s.filter(p -> p.getFileName().toString().equals("cur") && p.getParent().getFileName().toString().equals("big"))
                        .findFirst().orElseThrow();
            }
            byte[] body = message(600);
            long now = System.currentTimeMillis() / 1000 - 3600;
            for (int i = 0; i < messages; i++) {
                Files.write(cur.resolve((now + i / 100) + ".M" + i + "P1.bench,S=" + body.length + ":2,S"), body);
            }
            long start = System.nanoTime();
            mail = store(root).open("big@example.test");
            inbox = mail.mailbox("INBOX");
            MailboxStatus status = inbox.status();
            maxUid = status.uidNext() - 1;
            System.out.printf("%n[setup] indexed %d messages found in cur/ in %d ms%n", status.messages(),
                    (System.nanoTime() - start) / 1_000_000);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            mail.close();
            delete(root);
        }
    }

    /** A new store instance (no in-memory index) opens the indexed folder: reads the UID list, checks the directories. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 2)
    @Measurement(iterations = 10)
    @Fork(1)
    public MailboxStatus openColdNewStoreInstance(LargeFolder f) throws Exception {
        dropPageCacheIfAllowed();
        try (UserMailboxes mail = store(f.root).open("big@example.test")) {
            return mail.mailbox("INBOX").status();
        }
    }

    /** Opening it again in a running store: what a new IMAP/POP3 session pays. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 1, time = 5)
    @Measurement(iterations = 3, time = 5)
    @Fork(1)
    public int openWarmListAll(LargeFolder f) throws Exception {
        return f.inbox.messages().size();
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 1, time = 5)
    @Measurement(iterations = 3, time = 5)
    @Fork(1)
    public Object flagOneMessage(LargeFolder f) throws Exception {
        long uid = 1 + ThreadLocalRandom.current().nextLong(f.maxUid);
        Mailbox.FlagChange change = ThreadLocalRandom.current().nextBoolean() ? Mailbox.FlagChange.ADD
                : Mailbox.FlagChange.REMOVE;
        return f.inbox.updateFlags(java.util.List.of(uid), change, Flags.of(Flags.Flag.FLAGGED), OptionalLong.empty());
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 1, time = 3)
    @Measurement(iterations = 3, time = 5)
    @Fork(1)
    public Object lookupByUid(LargeFolder f) throws Exception {
        return f.inbox.message(1 + ThreadLocalRandom.current().nextLong(f.maxUid));
    }

    private static boolean warned;

    /** Best effort (needs root): makes the "cold" open read from disk, not from the page cache. */
    static void dropPageCacheIfAllowed() {
        try {
            new ProcessBuilder("sync").start().waitFor();
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3");
        } catch (IOException | InterruptedException | SecurityException e) {
            if (!warned) {
                warned = true;
                System.out.println("[cold] cannot drop the page cache (" + e.getMessage() + "): files are cached");
            }
        }
    }
}
