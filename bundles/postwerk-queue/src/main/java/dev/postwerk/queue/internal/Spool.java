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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
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
 * spool/msg/&lt;id&gt;          the message as SMTP streamed it (Received: on top), never changed
 * spool/journal.&lt;gen&gt;     append-only records (see {@link JournalRecord}), framed with CRC-32C
 * </pre>
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

    Spool(Path folder, long compactSize) throws IOException {
        this.folder = folder;
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
            List<JournalRecord> initial = snapshot();
            journal = new Journal(folder, messages, generation, initial, this::snapshot, compactSize);
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
            live.putIfAbsent(c.queueId(), new SpooledMessage(c, messages.resolve(c.queueId())));
        } else if (r instanceof Removed) {
            live.remove(r.queueId());
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
                Files.deleteIfExists(m.file);
            } else if (!Files.exists(m.file)) {
                // Cannot happen unless someone deleted it by hand: the file is fsync'ed before its record.
                LOG.error("Queue message {} from {} has lost its spool file; dropped", m.id, m.envelope.sender());
                live.remove(m.id);
            }
        }
        return max;
    }

    private List<JournalRecord> snapshot() {
        List<JournalRecord> list = new ArrayList<>();
        for (SpooledMessage m : sorted()) {
            list.addAll(m.records());
        }
        return list;
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
        Path file = messages.resolve(id);
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            return new Writer(id, file, channel);
        } catch (IOException e) {
            throw new QueueException("cannot create a spool file", e);
        }
    }

    private long nextSequence() {
        long now = QueueIds.sequenceFloor(Instant.now());
        return lastId.updateAndGet(last -> Math.max(last + 1, now));
    }

    /** Records progress; returns once durable. */
    /**
     * Records progress and waits for its fsync. Callers apply the record to the in-memory message
     * first: compaction rewrites the journal from memory, so a record on disk but not yet in
     * memory could be left out of the new generation and lost in a crash.
     */
    void recordDurably(JournalRecord record) throws IOException {
        await(journal.append(record, false, () -> { }));
    }

    /** Records progress without waiting for the fsync: the next batch carries it. */
    void recordLazily(JournalRecord record) {
        journal.append(record, false, () -> { });
    }

    /**
     * Removes a message: the {@code Removed} record is written, and the file deleted only after
     * the fsync that covers the record (a file without record is an orphan recovery deletes; a
     * record without file would be a lost message).
     */
    void remove(SpooledMessage message, boolean waitDurable) throws IOException {
        if (live.remove(message.id, message)) {
            var done = journal.append(new Removed(message.id), false, () -> deleteQuietly(message.file));
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

    private static void await(java.util.concurrent.CompletableFuture<Void> f) throws IOException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    f.get();
                    return;
                } catch (InterruptedException e) {
                    // The record is queued already: wait for its outcome rather than guess it.
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
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
        journal.close();
        releaseLock();
    }

    /** Stops as a crash would: nothing queued is written any more (recovery tests). */
    void halt() {
        open = false;
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

    /** One message being streamed in. */
    private final class Writer implements SpoolWriter {
        private final String id;
        private final Path file;
        private final FileChannel channel;
        private final CountingStream out;
        private boolean finished;

        Writer(String id, Path file, FileChannel channel) {
            this.id = id;
            this.file = file;
            this.channel = channel;
            this.out = new CountingStream(new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16));
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
            return SpoolContent.of(file, out.count);
        }

        @Override
        public synchronized String commit(Envelope envelope, Verdict.Changes dataChanges) throws QueueException {
            if (finished) {
                throw new IllegalStateException("already committed or aborted");
            }
            finished = true;
            try {
                out.flushForCommit();
                channel.force(false);
                channel.close();
            } catch (IOException e) {
                discard();
                throw new QueueException("the message could not be written to the spool", e);
            }
            Committed record = new Committed(id, Instant.now(), out.count, envelope, dataChanges);
            try {
                await(journal.append(record, true, () -> {
                    SpooledMessage m = new SpooledMessage(record, file);
                    live.put(id, m);
                    onCommitted.accept(m);
                }));
            } catch (IOException e) {
                // Not in the journal (or not known to be): the client gets 4xx and sends again;
                // recovery deletes the file if the record did not make it.
                throw new QueueException("the spool journal could not be written", e);
            }
            return id;
        }

        @Override
        public synchronized void abort() {
            if (!finished) {
                finished = true;
                discard();
            }
        }

        private void discard() {
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
