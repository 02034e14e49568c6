package dev.postwerk.queue.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only queue journal and its group committer.
 *
 * <p>Callers hand records to {@link #append}; one committer thread takes everything that queued
 * up while it was busy, fsyncs the message folder once if any of the batch created a message
 * file, writes the batch with one gathering write, fsyncs the journal once, and only then runs
 * each record's {@code onDurable} action and completes its future. So a batch of N commits costs
 * two fsyncs instead of N file creations with N fsyncs, and nobody is released before the fsync
 * that covers their record. No timer adds latency: the batch is simply whatever arrived during
 * the previous fsync, which is what makes batches grow exactly when load does.
 *
 * <p>Files are {@code journal.<generation>}. Compaction writes the live state to
 * {@code journal.<n+1>.tmp}, fsyncs it, renames it into place and fsyncs the folder before the
 * old generation is deleted, so there is always one complete journal on disk; recovery reads the
 * highest generation and deletes leftover {@code .tmp} files.
 */
final class Journal implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
    private static final Pattern NAME = Pattern.compile("journal\\.(\\d+)");

    private record Pending(ByteBuffer frame, boolean syncMessageFolder, Durable onDurable, CompletableFuture<Void> done,
            boolean urgent) {
    }

    /** A lazy record is forced at the latest this long after it was written. */
    static final long LAZY_FORCE_MILLIS = 50;

    /** Runs on the committer thread once a frame is durable, told where the frame was written. */
    @FunctionalInterface
    interface Durable {
        void written(Path journalFile, long frameOffset);
    }

    private final Path folder;
    private final FileChannel folderChannel;
    private final FileChannel messageFolderChannel;
    private final Supplier<List<Live>> snapshot;
    private final java.util.function.LongSupplier carried;

    /** One entry of the live state written into a new generation. */
    sealed interface Live {
    }

    /** A record, written as it is. */
    record LiveRecord(JournalRecord record) implements Live {
    }

    /**
     * A live inline message carried into the new generation with its octets (read from
     * {@code source}); {@code moved} is told where they are once the generation is in place,
     * before the old one is deleted.
     */
    record LiveInline(JournalRecord.Committed committed, SpoolContent.Source source, Relocation moved) implements Live {
    }

    @FunctionalInterface
    interface Relocation {
        void to(Path journal, long contentOffset);
    }
    private final long compactSize;
    private final Object lock = new Object();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final Thread committer;

    private FileChannel channel; // committer thread only, after construction
    private long generation;
    private long written;
    /** Size of the live state at the last rewrite: compaction waits until the journal is twice that. */
    private long liveSize;
    private boolean closing; // guarded by lock
    private volatile boolean halted;
    private boolean forceCompaction; // committer thread only
    private volatile IOException failure;
    /** Batches written and records in them, for the benchmark's report. */
    private volatile long batches;
    private volatile long batchedRecords;

    /**
     * Starts a fresh generation holding {@code initial} (the recovered state), then the committer.
     *
     * @param snapshot the live state as records, called on the committer thread when compacting
     */
    /**
     * @param carried octets a compaction would copy now (the live inline messages): compaction
     *        waits while that is more than a quarter of the journal, i.e. while delivery is still
     *        catching up with a burst, up to four times {@code compactSize}
     */
    Journal(Path folder, Path messageFolder, long previousGeneration, List<Live> initial,
            Supplier<List<Live>> snapshot, long compactSize, java.util.function.LongSupplier carried)
            throws IOException {
        this.folder = folder;
        this.snapshot = snapshot;
        this.carried = carried;
        this.compactSize = compactSize;
        this.folderChannel = FileChannel.open(folder, StandardOpenOption.READ);
        this.messageFolderChannel = FileChannel.open(messageFolder, StandardOpenOption.READ);
        this.generation = previousGeneration;
        rewrite(initial);
        committer = new Thread(this::run, "postwerk-queue-committer");
        committer.setDaemon(true);
        committer.start();
    }

    /** The newest complete journal in {@code folder}; removes leftover temporary files. */
    static Optional<Path> newest(Path folder) throws IOException {
        Path best = null;
        long bestGen = -1;
        try (Stream<Path> files = Files.list(folder)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.startsWith("journal.") && name.endsWith(".tmp")) {
                    Files.deleteIfExists(p);
                    continue;
                }
                Matcher m = NAME.matcher(name);
                if (m.matches() && Long.parseLong(m.group(1)) > bestGen) {
                    bestGen = Long.parseLong(m.group(1));
                    best = p;
                }
            }
        }
        return Optional.ofNullable(best);
    }

    static long generationOf(Path journal) {
        Matcher m = NAME.matcher(journal.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : 0;
    }

    /**
     * Queues a record. The future completes once the record is on disk (fsync'ed), after
     * {@code onDurable} ran on the committer thread; it fails when the journal cannot be written.
     *
     * @param syncMessageFolder fsync the message folder before the record: it names a new message file
     */
    CompletableFuture<Void> append(JournalRecord record, boolean syncMessageFolder, Runnable onDurable) {
        return enqueue(JournalCodec.frame(record), syncMessageFolder, (f, o) -> onDurable.run(), true);
    }

    /**
     * Queues a record nobody waits for (progress that recovery can do without, a removal): it is
     * written with the next batch but forced only with the next urgent one, or after
     * {@link #LAZY_FORCE_MILLIS}; {@code onDurable} runs after that force. Under load, lazy records
     * so ride along with the commits' fsyncs instead of costing fsyncs of their own.
     */
    CompletableFuture<Void> appendLazily(JournalRecord record, Runnable onDurable) {
        return enqueue(JournalCodec.frame(record), false, (f, o) -> onDurable.run(), false);
    }

    /** Queues a ready frame (an inline message); {@code onDurable} learns where it was written. */
    CompletableFuture<Void> append(ByteBuffer frame, Durable onDurable) {
        return enqueue(frame, false, onDurable, true);
    }

    /** Tests: the next batch rewrites the journal whatever its size. */
    CompletableFuture<Void> compactNow() {
        CompletableFuture<Void> compacted = new CompletableFuture<>();
        enqueue(null, false, (f, o) -> {
            forceCompaction = true;
            compactionWaiters.add(compacted);
        }, true).whenComplete((v, e) -> {
            if (e != null) {
                compacted.completeExceptionally(e);
            }
        });
        return compacted;
    }

    /** Tests waiting for {@link #compactNow}; committer thread only. */
    private final List<CompletableFuture<Void>> compactionWaiters = new ArrayList<>();

    private CompletableFuture<Void> enqueue(ByteBuffer frame, boolean syncMessageFolder, Durable onDurable,
            boolean urgent) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        IOException f = failure;
        if (f != null) {
            done.completeExceptionally(f);
            return done;
        }
        synchronized (lock) {
            if (closing || halted) {
                done.completeExceptionally(new IOException("the queue journal is closed"));
                return done;
            }
            pending.add(new Pending(frame, syncMessageFolder, onDurable, done, urgent));
            lock.notifyAll();
        }
        return done;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        while (true) {
            boolean forceNow = false;
            synchronized (lock) {
                long deadline = unforcedSince + LAZY_FORCE_MILLIS * 1_000_000;
                while (pending.isEmpty() && !closing && !halted) {
                    try {
                        if (unforced.isEmpty()) {
                            lock.wait();
                        } else {
                            long left = (deadline - System.nanoTime()) / 1_000_000;
                            if (left <= 0) {
                                forceNow = true; // lazy records waited long enough
                                break;
                            }
                            lock.wait(left);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (halted) {
                    failAll(new ArrayList<>(pending), new IOException("the queue journal is closed"));
                    failAll(unforced, new IOException("the queue journal is closed"));
                    pending.clear();
                    return;
                }
                if (pending.isEmpty() && closing && unforced.isEmpty()) {
                    return;
                }
                forceNow |= closing || (!unforced.isEmpty() && System.nanoTime() - deadline >= 0);
                batch.addAll(pending);
                pending.clear();
            }
            try {
                commit(batch, forceNow);
            } catch (IOException | RuntimeException e) {
                IOException io = e instanceof IOException ioe ? ioe : new IOException(e);
                if (!halted) {
                    failure = io;
                    LOG.error("Queue journal write failed; the queue refuses new mail until restarted", e);
                }
                failAll(batch, io);
                failAll(unforced, io);
                compactionWaiters.forEach(w -> w.completeExceptionally(io));
                synchronized (lock) {
                    failAll(new ArrayList<>(pending), io);
                    pending.clear();
                    closing = true;
                }
                return;
            } finally {
                batch.clear();
            }
        }
    }

    /** Written but not yet forced (lazy records only), in order, with their frame offsets; committer thread only. */
    private final List<Pending> unforced = new ArrayList<>();
    private final List<Long> unforcedOffsets = new ArrayList<>();
    /** {@link System#nanoTime()} when the oldest of {@link #unforced} was written. */
    private long unforcedSince;

    private void commit(List<Pending> batch, boolean forceNow) throws IOException {
        // Message files first: a journal record must never be durable before the file it names.
        if (batch.stream().anyMatch(Pending::syncMessageFolder)) {
            messageFolderChannel.force(true);
        }
        ByteBuffer[] frames = batch.stream().map(Pending::frame).filter(f -> f != null).toArray(ByteBuffer[]::new);
        long[] offsets = new long[batch.size()];
        long total = 0;
        for (int i = 0; i < batch.size(); i++) {
            offsets[i] = written + total; // the file ends at `written`: frames are only appended
            ByteBuffer b = batch.get(i).frame();
            total += b == null ? 0 : b.remaining();
        }
        long n = 0;
        while (n < total) {
            n += channel.write(frames);
        }
        written += total;
        if (unforced.isEmpty()) {
            unforcedSince = System.nanoTime();
        }
        for (int i = 0; i < batch.size(); i++) {
            unforced.add(batch.get(i));
            unforcedOffsets.add(offsets[i]);
        }
        if (!forceNow && batch.stream().noneMatch(Pending::urgent)) {
            return; // only lazy records: the next urgent batch's fsync (or the deadline) covers them
        }
        channel.force(false);
        batches++;
        batchedRecords += unforced.stream().filter(p -> p.frame() != null).count();
        Path file = current();
        for (int i = 0; i < unforced.size(); i++) {
            Pending p = unforced.get(i);
            if (p.onDurable() != null) {
                try {
                    p.onDurable().written(file, unforcedOffsets.get(i));
                } catch (RuntimeException e) {
                    LOG.error("Queue action after journal write failed", e);
                }
            }
            p.done().complete(null);
        }
        unforced.clear();
        unforcedOffsets.clear();
        boolean due = written > Math.max(compactSize, 2 * liveSize);
        // Right after a burst most of the journal is messages not yet delivered: rewriting now
        // would copy them all (100 KiB x 2,000 made three compactions carry ~30 MB each). A little
        // later delivery has caught up and the rewrite is nearly free; a hard bound keeps the file
        // from growing without end when delivery cannot catch up.
        boolean worthIt = carried.getAsLong() <= written / 4 || written > 4 * Math.max(compactSize, 2 * liveSize);
        if (forceCompaction || (due && worthIt)) {
            forceCompaction = false;
            rewrite(snapshot.get());
            compactionWaiters.forEach(w -> w.complete(null));
            compactionWaiters.clear();
        }
    }

    /** The current generation's file. */
    private Path current() {
        return folder.resolve("journal." + generation);
    }

    /** Writes a new generation with {@code records} and makes it the current journal. */
    private void rewrite(List<Live> records) throws IOException {
        long next = generation + 1;
        Path tmp = folder.resolve("journal." + next + ".tmp");
        Path target = folder.resolve("journal." + next);
        FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        long size;
        List<Runnable> relocations = new ArrayList<>();
        try {
            ByteBuffer header = ByteBuffer.allocate(4).putInt(0, JournalCodec.MAGIC);
            out.write(header);
            size = 4;
            long position = 4;
            List<ByteBuffer> chunk = new ArrayList<>();
            for (Live live : records) {
                ByteBuffer frame;
                if (live instanceof LiveInline in) {
                    int length = (int) in.committed().size();
                    byte[] content;
                    try (java.io.InputStream s = in.source().open()) {
                        content = s.readNBytes(length);
                    }
                    if (content.length != length) {
                        throw new IOException("inline message " + in.committed().queueId() + " is shorter than recorded");
                    }
                    frame = JournalCodec.frameInline(in.committed(), content, length)
                            .orElseThrow(() -> new IOException("inline message too big for a frame"));
                    long contentOffset = position + frame.remaining() - length;
                    relocations.add(() -> in.moved().to(target, contentOffset));
                } else {
                    frame = JournalCodec.frame(((LiveRecord) live).record());
                }
                position += frame.remaining();
                chunk.add(frame);
                if (chunk.size() == 256) {
                    size += writeAll(out, chunk);
                }
            }
            size += writeAll(out, chunk);
            out.force(false);
        } catch (IOException | RuntimeException e) {
            out.close();
            throw e;
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        folderChannel.force(true);
        // the carried messages are read from the new generation before the old one goes
        relocations.forEach(Runnable::run);
        FileChannel old = channel;
        long oldGeneration = generation;
        channel = out;
        generation = next;
        written = size;
        liveSize = size;
        if (old != null) {
            old.close();
        }
        for (long g = oldGeneration; g >= 0 && g >= oldGeneration - 1; g--) {
            Files.deleteIfExists(folder.resolve("journal." + g));
        }
        LOG.debug("Queue journal generation {} written with {} records", next, records.size());
    }

    private static long writeAll(FileChannel out, List<ByteBuffer> chunk) throws IOException {
        ByteBuffer[] b = chunk.toArray(ByteBuffer[]::new);
        long total = 0;
        for (ByteBuffer x : b) {
            total += x.remaining();
        }
        long n = 0;
        while (n < total) {
            n += out.write(b);
        }
        chunk.clear();
        return total;
    }

    private static void failAll(List<Pending> list, IOException e) {
        for (Pending p : list) {
            p.done().completeExceptionally(e);
        }
    }

    /** Writes what is queued, then stops the committer and closes the files. */
    @Override
    public void close() {
        synchronized (lock) {
            closing = true;
            lock.notifyAll();
        }
        try {
            committer.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeChannels();
    }

    /**
     * Stops at once without writing what is queued, as a crash would (tests of recovery). Records
     * not yet written are lost; their callers see a failure, as they would never have seen a reply.
     */
    void halt() {
        halted = true;
        synchronized (lock) {
            lock.notifyAll();
        }
        closeChannels();
        try {
            committer.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeChannels() {
        for (FileChannel c : new FileChannel[] {channel, folderChannel, messageFolderChannel}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (IOException e) {
                LOG.debug("closing journal file", e);
            }
        }
    }

    /** "batches/records" written so far. */
    String batchStatistics() {
        long b = batches;
        return b + " fsync'ed batches, " + (b == 0 ? 0 : batchedRecords / b) + " records per batch on average";
    }

    /** True once a write failed: the queue must not accept mail. */
    boolean failed() {
        return failure != null || halted;
    }
}
