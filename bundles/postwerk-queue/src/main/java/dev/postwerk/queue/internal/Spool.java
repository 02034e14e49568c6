package dev.postwerk.queue.internal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;

import dev.postwerk.api.filter.Verdict;
import dev.postwerk.api.mail.Envelope;
import dev.postwerk.api.mail.MessageContent;
import dev.postwerk.api.queue.QueueException;
import dev.postwerk.api.queue.SpoolWriter;
import dev.postwerk.queue.internal.JournalRecord.Committed;
import dev.postwerk.queue.internal.JournalRecord.Removed;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable spool: one file per message plus a group-committed journal of envelopes and
 * per-recipient progress.
 *
 * <h2>On disk</h2>
 * <pre>
 * spool/lock              held (OS file lock) while a queue uses the folder
 * spool/msg/&lt;id&gt;          a message too big to be inline, as SMTP streamed it (Received: on top)
 * spool/journal.&lt;gen&gt;     append-only records (see {@link JournalRecord}), framed with CRC-32C;
 *                         small messages inline in their Committed record
 * </pre>
 *
 * <h2>Inline messages</h2>
 * A message of at most {@code inlineMax} octets (default 128 KiB) is received into memory and
 * written inside its {@code Committed} journal frame: committing it costs no file creation, no
 * file fsync and no deletion later, only its share of the batch's one journal fsync — the
 * difference between a fsync'ed file per message (about 1,300 per second on one disk) and a
 * group commit. At most {@link #INLINE_BUDGET} octets of all sessions are held in memory at once;
 * past that, or past {@code inlineMax}, a message is streamed to its own file as before.
 * Compaction carries the inline messages still live into the new generation (a sequential copy
 * covered by its one fsync), except those that have waited longer than {@link #CARRY_AGE}: they
 * move to their own files, so the journal stays the size of the recent traffic and a message that
 * waits for days is not copied at every compaction.
 *
 * <h2>Commit (rule 1 of DESIGN.md)</h2>
 * The SMTP session streams into {@code msg/<id>}; {@code commit} fsyncs that file on the session's
 * own thread (so the sessions' data fsyncs run concurrently and the file system merges them
 * into shared journal commits), then hands a {@code Committed} record to the {@link Journal}'s
 * committer, which fsyncs the {@code msg/} folder once for the whole batch, appends the batch,
 * fsyncs the journal once, and only then releases every waiting {@code commit}. A message is
 * committed exactly when its record is in the durable journal; the file is durable before it.
 * So the costs per message are one data fsync (merged with others') and a share of two fsyncs,
 * instead of one file creation plus fsync per message per recipient, and no commit returns
 * before the fsyncs that cover it.
 *
 * <h2>Recovery</h2>
 * At open, the newest complete journal is replayed up to its first torn or corrupt frame (a write
 * that never returned to anybody), giving every committed message with its recipients' progress.
 * Message files without a live record (streams that never committed, or finished messages whose
 * deletion did not reach the disk) are deleted. The live state is then written as a fresh
 * journal generation, so the journal never grows across restarts. The same rewrite (compaction)
 * runs whenever the journal grows past its configured size.
 */
final class Spool implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);

    private final Path folder;
    private final Path messages;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Journal journal;
    private final Map<String, SpooledMessage> live = new ConcurrentHashMap<>();
    private final AtomicLong lastId;
    private volatile Consumer<SpooledMessage> onCommitted = m -> { };
    private volatile boolean open = true;
    private final int inlineMax;
    /** Octets of messages being received into memory, over all sessions. */
    private final AtomicLong inlineBytes = new AtomicLong();
    /** Octets of committed messages that live inline in the journal (what a compaction would carry). */
    private final AtomicLong liveInline = new AtomicLong();
    /** Messages received into memory at once stay below this many octets in all. */
    static final long INLINE_BUDGET = 64L << 20;
    private volatile long inlineBudget = INLINE_BUDGET;

    /** Tests: a smaller memory budget for messages being received. */
    void inlineBudget(long octets) {
        this.inlineBudget = octets;
    }

    /** Octets of messages being received into memory now (tests: the budget is given back). */
    long inlineBytesInUse() {
        return inlineBytes.get();
    }
    /** The journal file being replayed (inline messages point into it until compaction moves them). */
    private Path replaying;
    /**
     * Where {@link SpoolWriter#commitAsync} fsyncs a message in its own file (larger than the
     * inline maximum, or received while the memory budget was used up), off the caller's thread.
     */
    private final ThreadPoolExecutor fileCommits = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "postwerk-queue-file-commit");
                t.setDaemon(true);
                return t;
            });

    {
        fileCommits.allowCoreThreadTimeOut(true);
    }

    Spool(Path folder, long compactSize) throws IOException {
        this(folder, compactSize, 128 << 10);
    }

    /** @param inlineMax messages up to this size go into the journal; 0 gives every message its own file */
    Spool(Path folder, long compactSize, int inlineMax) throws IOException {
        this.folder = folder;
        this.inlineMax = Math.max(0, Math.min(inlineMax, JournalCodec.MAX_FRAME / 2));
        this.messages = folder.resolve("msg");
        Files.createDirectories(messages);
        lockChannel = FileChannel.open(folder.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = lockChannel.tryLock();
        } catch (IOException | RuntimeException e) {
            lockChannel.close();
            throw new IOException("spool " + folder + " cannot be locked", e);
        }
        if (l == null) {
            lockChannel.close();
            throw new IOException("spool " + folder + " is in use by another process");
        }
        lock = l;
        long maxId = 0;
        long generation = 0;
        try {
            Optional<Path> newest = Journal.newest(folder);
            if (newest.isPresent()) {
                generation = Journal.generationOf(newest.get());
                replay(newest.get());
            }
            maxId = removeOrphans();
            for (String id : live.keySet()) {
                maxId = Math.max(maxId, QueueIds.sequence(id));
            }
            List<Journal.Live> initial = snapshot();
            journal = new Journal(folder, messages, generation, initial, this::snapshot, compactSize, liveInline::get);
        } catch (IOException | RuntimeException e) {
            lock.release();
            lockChannel.close();
            throw e;
        }
        lastId = new AtomicLong(maxId);
        if (!live.isEmpty()) {
            LOG.info("Queue recovered {} message(s) from {}", live.size(), folder);
        }
    }

    private void replay(Path file) throws IOException {
        replaying = file;
        long[] consumed = {4};
        long records = 0;
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            if (!JournalCodec.readHeader(raw)) {
                throw new IOException(file + " is not a queue journal");
            }
            DataInputStream in = new DataInputStream(raw);
            Optional<JournalRecord> r;
            while ((r = JournalCodec.read(in, consumed)).isPresent()) {
                apply(r.get());
                records++;
            }
        }
        long size = Files.size(file);
        if (consumed[0] < size) {
            LOG.warn("Queue journal {} ends with {} octets of an incomplete write (never acknowledged); ignored",
                    file, size - consumed[0]);
        }
        LOG.debug("Replayed {} journal records from {}", records, file);
    }

    private void apply(JournalRecord r) {
        if (r instanceof Committed c) {
            Path own = messages.resolve(c.queueId());
            SpooledMessage m = new SpooledMessage(c, own,
                    c.inline() ? new SpoolData.JournalSlice(replaying, c.inlineOffset()) : new SpoolData.OwnFile(own));
            if (live.putIfAbsent(c.queueId(), m) == null && c.inline()) {
                liveInline.addAndGet(m.size);
            }
            c.alongside().forEach(this::apply);
        } else if (r instanceof Removed) {
            forgetInline(live.remove(r.queueId()));
        } else {
            SpooledMessage m = live.get(r.queueId());
            if (m != null) {
                m.apply(r);
            }
        }
    }

    /** How long set-aside spool files are kept before recovery deletes them. */
    static final java.time.Duration QUARANTINE_KEEP = java.time.Duration.ofDays(7);

    /**
     * Sets aside message files no live record names; returns the highest id sequence seen. Such a
     * file is normally a message whose commit never finished (never acknowledged) or one already
     * delivered; but if a journal frame in the middle was damaged, acknowledged messages look the
     * same. So they are moved to {@code quarantine/}, not deleted, and removed after a week.
     */
    private long removeOrphans() throws IOException {
        long max = 0;
        Path quarantine = messages.resolveSibling("quarantine");
        try (Stream<Path> files = Files.list(messages)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                max = Math.max(max, QueueIds.sequence(name));
                if (!live.containsKey(name)) {
                    Files.createDirectories(quarantine);
                    Files.move(p, quarantine.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    LOG.info("Queue set aside spool file {} that no journal record names (uncommitted or finished)", name);
                }
            }
        }
        if (Files.isDirectory(quarantine)) {
            java.nio.file.attribute.FileTime cutoff = java.nio.file.attribute.FileTime.from(
                    java.time.Instant.now().minus(QUARANTINE_KEEP));
            try (Stream<Path> old = Files.list(quarantine)) {
                for (Path p : (Iterable<Path>) old::iterator) {
                    if (Files.getLastModifiedTime(p).compareTo(cutoff) < 0) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
        for (SpooledMessage m : new ArrayList<>(live.values())) {
            if (m.finished()) {
                live.remove(m.id);
                forgetInline(m);
                Files.deleteIfExists(m.file);
            } else if (m.data instanceof SpoolData.JournalSlice) {
                // a compaction that was moving it out of the journal did not finish: the journal's copy counts
                Files.deleteIfExists(m.file);
            } else if (!Files.exists(m.file)) {
                // Cannot happen unless someone deleted it by hand: the file is fsync'ed before its record.
                LOG.error("Queue message {} from {} has lost its spool file; dropped", m.id, m.envelope.sender());
                live.remove(m.id);
            }
        }
        return max;
    }

    /** Inline messages younger than this are carried into a new generation; older ones get their own file. */
    static final java.time.Duration CARRY_AGE = java.time.Duration.ofMinutes(10);
    private volatile java.time.Duration carryAge = CARRY_AGE;

    /** Tests: how long inline messages are carried from generation to generation. */
    void carryAge(java.time.Duration age) {
        this.carryAge = age;
    }

    /** Tests: forces a compaction now (on the committer thread) and waits for it. */
    void compactNow() throws IOException {
        await(journal.compactNow());
    }

    /**
     * The live state, for a new journal generation; runs on the committer thread (or in the
     * constructor, before it exists). An inline message that arrived recently (normally one that
     * delivery has not reached yet) is carried into the new generation with its octets: one
     * sequential write under the generation's one fsync. One that has waited longer than
     * {@link #CARRY_AGE} (deferred, waiting for a relay) is moved to its own file (fsync'ed, then
     * the folder), so that a generation never copies a long-waiting message over and over.
     */
    private List<Journal.Live> snapshot() {
        List<SpooledMessage> all = sorted();
        Instant carryAfter = Instant.now().minus(carryAge);
        boolean moved = false;
        List<Journal.Live> list = new ArrayList<>();
        try {
            for (SpooledMessage m : all) {
                List<JournalRecord> records = m.records();
                if (m.data instanceof SpoolData.JournalSlice && m.arrived.isAfter(carryAfter)) {
                    Committed c = (Committed) records.get(0);
                    list.add(new Journal.LiveInline(c, m::openData,
                            (journalFile, offset) -> m.data = new SpoolData.JournalSlice(journalFile, offset)));
                    records = records.subList(1, records.size());
                } else if (m.data instanceof SpoolData.JournalSlice) {
                    moveToOwnFile(m);
                    moved = true;
                }
                for (JournalRecord r : records) {
                    list.add(new Journal.LiveRecord(r));
                }
            }
            if (moved) {
                try (FileChannel dir = FileChannel.open(messages, StandardOpenOption.READ)) {
                    dir.force(true);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move inline messages out of the journal", e);
        }
        return list;
    }

    /** A message left the queue or moved to its own file: a compaction no longer carries it. */
    private void forgetInline(SpooledMessage m) {
        if (m != null && m.data instanceof SpoolData.JournalSlice) {
            liveInline.addAndGet(-m.size);
        }
    }

    private void moveToOwnFile(SpooledMessage m) throws IOException {
        try (InputStream in = m.openData();
                FileChannel out = FileChannel.open(m.file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE)) {
            OutputStream o = Channels.newOutputStream(out);
            byte[] buf = new byte[1 << 16];
            long left = m.size;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new IOException("inline message " + m.id + " is shorter than " + m.size + " octets");
                }
                o.write(buf, 0, n);
                left -= n;
            }
            out.force(false);
        }
        forgetInline(m);
        m.data = new SpoolData.OwnFile(m.file);
    }

    /** Live messages, oldest first (ids grow with time). */
    List<SpooledMessage> sorted() {
        List<SpooledMessage> list = new ArrayList<>(live.values());
        list.sort(Comparator.comparing((SpooledMessage m) -> m.arrived).thenComparing(m -> m.id));
        return list;
    }

    Collection<SpooledMessage> live() {
        return live.values();
    }

    Optional<SpooledMessage> get(String id) {
        return Optional.ofNullable(live.get(id));
    }

    String batchStatistics() {
        return journal.batchStatistics();
    }

    Path folder() {
        return folder;
    }

    /** Called on the committer thread once a message is durable, before its commit returns. */
    void onCommitted(Consumer<SpooledMessage> listener) {
        this.onCommitted = listener;
    }

    SpoolWriter begin(Envelope envelope) throws QueueException {
        if (!open || journal.failed()) {
            throw new QueueException("the queue is not accepting mail now");
        }
        String id = QueueIds.format(nextSequence());
        return new Writer(id, messages.resolve(id));
    }

    private long nextSequence() {
        long now = QueueIds.sequenceFloor(Instant.now());
        return lastId.updateAndGet(last -> Math.max(last + 1, now));
    }

    /**
     * Commits {@code writer} (from {@link #begin}) together with {@code alongside}, records about
     * other queued messages, in one journal frame: durable together or not at all.
     */
    String commit(SpoolWriter writer, Envelope envelope, List<JournalRecord> alongside) throws QueueException {
        return ((Writer) writer).commit(envelope, Verdict.Changes.NONE, alongside);
    }

    /**
     * Records progress and waits for its fsync. Callers apply the record to the in-memory message
     * first: compaction rewrites the journal from memory, so a record on disk but not yet in
     * memory could be left out of the new generation and lost in a crash.
     */
    void recordDurably(JournalRecord record) throws IOException {
        await(journal.append(record, false, () -> { }));
    }

    /** Records progress without waiting for the fsync: the next batch carries it. */
    CompletableFuture<Void> recordLazily(JournalRecord record) {
        return journal.appendLazily(record, () -> { });
    }

    /**
     * Removes a message: the {@code Removed} record is written, and the file deleted only after
     * the fsync that covers the record (a file without record is an orphan recovery deletes; a
     * record without file would be a lost message).
     */
    void remove(SpooledMessage message, boolean waitDurable) throws IOException {
        if (live.remove(message.id, message)) {
            forgetInline(message);
            Runnable deleteFile = () -> {
                if (message.data instanceof SpoolData.OwnFile) {
                    deleteQuietly(message.file);
                }
            };
            var done = waitDurable ? journal.append(new Removed(message.id), false, deleteFile)
                    : journal.appendLazily(new Removed(message.id), deleteFile);
            if (waitDurable) {
                await(done);
            }
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("Cannot delete spool file {} (recovery will): {}", file, e.toString());
        }
    }

    /** Waits for a commit; its QueueException as is. */
    private static String join(CompletableFuture<String> f) throws QueueException {
        try {
            return outcome(f);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof QueueException q ? q
                    : new QueueException("the spool journal could not be written", e.getCause());
        }
    }

    private static void await(CompletableFuture<Void> f) throws IOException {
        try {
            outcome(f);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    /**
     * The future's value, waiting through interrupts: what it stands for (a record, a commit) is
     * queued already, so its outcome is awaited rather than guessed; the interrupt is kept.
     */
    private static <T> T outcome(CompletableFuture<T> f) throws ExecutionException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        open = false;
        fileCommits.shutdown();
        try {
            // commits under way finish (their clients wait for the answer) before the journal closes
            fileCommits.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        journal.close();
        releaseLock();
    }

    /** Stops as a crash would: nothing queued is written any more (recovery tests). */
    void halt() {
        open = false;
        fileCommits.shutdownNow();
        journal.halt();
        releaseLock();
    }

    private void releaseLock() {
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.debug("releasing spool lock", e);
        }
    }

    /**
     * One message being received: into memory while it is small (it will be inline in the
     * journal), into its own file {@code msg/<id>} once it outgrows {@code inlineMax} or the
     * memory budget.
     */
    private final class Writer implements SpoolWriter {
        private final String id;
        private final Path file;
        private final CountingStream out;
        /** Memory mode while {@link #channel} is null. */
        private byte[] buffer = new byte[0];
        private long reserved;
        private FileChannel channel;
        private boolean finished;

        Writer(String id, Path file) {
            this.id = id;
            this.file = file;
            this.out = new CountingStream(new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    append(b, off, len);
                }

                @Override
                public void flush() throws IOException {
                    if (fileStream != null) {
                        fileStream.flush();
                    }
                }
            });
        }

        private OutputStream fileStream;

        /** Called with the octets after those counted so far ({@code out.count} is the old end). */
        private void append(byte[] b, int off, int len) throws IOException {
            if (fileStream != null) {
                fileStream.write(b, off, len);
                return;
            }
            long have = out.count;
            long need = have + len;
            if (need > inlineMax || !grow(need)) {
                spill();
                fileStream.write(b, off, len);
                return;
            }
            System.arraycopy(b, off, buffer, (int) have, len);
        }

        @Override
        public boolean keepsInMemory(long octets) {
            return !finished && fileStream == null && octets <= inlineMax && grow(octets);
        }

        /** Makes room for {@code need} octets in memory, within the budget; false when it does not fit. */
        private boolean grow(long need) {
            if (need <= buffer.length) {
                return true;
            }
            long size = Math.min(inlineMax, Math.max(need, Math.max(8192, 2L * buffer.length)));
            long more = size - reserved;
            if (inlineBytes.addAndGet(more) > inlineBudget) {
                inlineBytes.addAndGet(-more);
                return false;
            }
            reserved = size;
            buffer = java.util.Arrays.copyOf(buffer, (int) size);
            return true;
        }

        /** Moves what is in memory to the message's own file; streaming goes on there. */
        private void spill() throws IOException {
            channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            fileStream = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
            fileStream.write(buffer, 0, (int) out.count);
            releaseMemory();
        }

        private void releaseMemory() {
            buffer = new byte[0];
            inlineBytes.addAndGet(-reserved);
            reserved = 0;
        }

        @Override
        public String queueId() {
            return id;
        }

        @Override
        public OutputStream content() {
            return out;
        }

        @Override
        public synchronized MessageContent written() {
            try {
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("the spool file cannot be written", e);
            }
            if (channel == null) {
                // appends after this only write past count, or into a new array
                byte[] b = buffer;
                int n = (int) out.count;
                return SpoolContent.of(() -> new java.io.ByteArrayInputStream(b, 0, n), n);
            }
            return SpoolContent.of(file, out.count);
        }

        @Override
        public String commit(Envelope envelope, Verdict.Changes dataChanges) throws QueueException {
            return commit(envelope, dataChanges, List.of());
        }

        /**
         * Commits with {@code alongside} records about other messages in the same frame; they are
         * applied to those messages in memory once durable, before this returns.
         */
        String commit(Envelope envelope, Verdict.Changes dataChanges, List<JournalRecord> alongside)
                throws QueueException {
            return join(start(envelope, dataChanges, alongside, Runnable::run));
        }

        /**
         * An inline message only queues its journal frame here; the committer's group fsync
         * completes the stage. A message in its own file is fsync'ed on {@link #fileCommits} first.
         */
        @Override
        public CompletionStage<String> commitAsync(Envelope envelope, Verdict.Changes dataChanges) {
            return start(envelope, dataChanges, List.of(), fileCommits);
        }

        /** @param blocking where the fsync of a message in its own file runs */
        private synchronized CompletableFuture<String> start(Envelope envelope, Verdict.Changes dataChanges,
                List<JournalRecord> alongside, Executor blocking) {
            if (finished) {
                throw new IllegalStateException("already committed or aborted");
            }
            finished = true;
            Committed record = new Committed(id, Instant.now(), out.count, envelope, dataChanges).withAlongside(alongside);
            try {
                if (channel == null) {
                    out.flushForCommit(); // nothing buffered outside memory: no disk
                    Optional<java.nio.ByteBuffer> frame = JournalCodec.frameInline(record, buffer, (int) out.count);
                    if (frame.isPresent()) {
                        int contentStart = frame.get().remaining() - (int) out.count;
                        releaseMemory(); // the frame holds the octets now
                        return commitInline(record, frame.get(), contentStart);
                    }
                }
            } catch (IOException e) {
                discard();
                return CompletableFuture.failedFuture(new QueueException("the message could not be written to the spool", e));
            }
            try {
                // a message in its own file, or one whose envelope is too big to share a frame
                // with it: every write of it happens on the blocking executor
                return CompletableFuture.supplyAsync(() -> commitOwnFile(record), blocking).thenCompose(f -> f);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                discard();
                return CompletableFuture.failedFuture(new QueueException("the spool is closing", e));
            }
        }

        private CompletableFuture<String> commitOwnFile(Committed record) {
            try {
                if (channel == null) {
                    spill();
                }
                out.flushForCommit();
                fileStream.flush();
                channel.force(false);
                channel.close();
            } catch (IOException e) {
                discard();
                return CompletableFuture.failedFuture(new QueueException("the message could not be written to the spool", e));
            }
            // Not in the journal (or not known to be): the client gets 4xx and sends again;
            // recovery deletes the file if the record did not make it.
            return queued(journal.append(record, true, () -> {
                SpooledMessage m = new SpooledMessage(record, file, new SpoolData.OwnFile(file));
                live.put(id, m);
                record.alongside().forEach(Spool.this::apply);
                onCommitted.accept(m);
            }));
        }

        private CompletableFuture<String> commitInline(Committed record, java.nio.ByteBuffer frame, int contentStart) {
            return queued(journal.append(frame, (journalFile, frameOffset) -> {
                SpooledMessage m = new SpooledMessage(record, file,
                        new SpoolData.JournalSlice(journalFile, frameOffset + contentStart));
                live.put(id, m);
                liveInline.addAndGet(m.size);
                record.alongside().forEach(Spool.this::apply);
                onCommitted.accept(m);
            }));
        }

        /** The queue id once {@code durable} completes; a journal failure as a QueueException. */
        private CompletableFuture<String> queued(CompletableFuture<Void> durable) {
            return durable.handle((v, failure) -> {
                if (failure != null) {
                    Throwable cause = failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure;
                    throw new CompletionException(new QueueException("the spool journal could not be written", cause));
                }
                return id;
            });
        }

        @Override
        public synchronized void abort() {
            if (!finished) {
                finished = true;
                discard();
            }
        }

        private void discard() {
            releaseMemory();
            if (channel == null) {
                return;
            }
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("closing aborted spool file", e);
            }
            deleteQuietly(file);
        }

        @Override
        public void close() {
            abort();
        }
    }

    /** Counts octets; refuses writes after commit or abort. */
    private static final class CountingStream extends FilterOutputStream {
        long count;
        private boolean closed;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            check();
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            check();
            out.write(b, off, len);
            count += len;
        }

        private void check() throws IOException {
            if (closed) {
                throw new IOException("the spool file is closed");
            }
        }

        void flushForCommit() throws IOException {
            out.flush();
            closed = true;
        }

        /** Closing the stream does not end the message: commit or abort does. */
        @Override
        public void close() throws IOException {
            if (!closed) {
                out.flush();
            }
        }
    }
}
