package dev.postwerk.store.maildir.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.postwerk.api.mail.MessageContent;
import dev.postwerk.api.mail.MessageStructure;
import dev.postwerk.api.store.CopyResult;
import dev.postwerk.api.store.FlagUpdate;
import dev.postwerk.api.store.Flags;
import dev.postwerk.api.store.Mailbox;
import dev.postwerk.api.store.MailboxEvent;
import dev.postwerk.api.store.MailboxListener;
import dev.postwerk.api.store.MailboxStatus;
import dev.postwerk.api.store.MessageInfo;
import dev.postwerk.api.store.StoreException;
import dev.postwerk.api.store.StoreException.Reason;
import dev.postwerk.store.maildir.internal.UidList.Entry;

/**
 * One Maildir++ folder: its directory, its {@link UidList} held in memory, and its listeners.
 * One object per folder and user, shared by all sessions; it is also the {@link Mailbox} handle
 * and answers NOT_FOUND once the folder is deleted or renamed away.
 *
 * <p>Every operation holds this object's lock and starts with {@link #sync}, which notices what
 * other programs did to new/ and cur/ since the last look. Changes go to disk first (message
 * file, then the UID list), then to listeners, in that order, under the lock.
 */
final class MaildirFolder implements Mailbox {

    private static final Logger LOG = LoggerFactory.getLogger(MaildirFolder.class);

    /**
     * A directory whose mtime is this young may still change within the same timestamp, so a scan
     * of it is not trusted to be complete and the next access scans again.
     */
    private static final long SETTLE_MILLIS = 2000;

    /**
     * An untrusted directory (one that was young when listed) is listed again at most this often,
     * not at every access: under a steady delivery load new/ is always young, and listing it at
     * every access made each read O(messages). Another program's file written in the same
     * timestamp tick as one of ours is therefore seen within this time.
     */
    private static final long UNTRUSTED_RELIST_MILLIS = 1000;

    /** The Maildir spec's age after which a file left in tmp/ is garbage. */
    private static final Duration TMP_MAX_AGE = Duration.ofHours(36);

    record Incoming(MessageContent content, Flags flags, Instant date) {
    }

    record Stored(long uidValidity, List<MessageInfo> messages) {
    }

    record Usage(long messages, long bytes) {
    }

    private final MaildirUser user;
    private final String name;
    private final Path dir;
    private final boolean inbox;
    private final List<MailboxListener> listeners = new CopyOnWriteArrayList<>();
    private final StructureCache structures;

    // Guarded by this.
    private UidList index;
    private FileTime scannedNew;
    private FileTime scannedCur;
    /** A trusted directory is not listed again while its mtime stays the same. */
    private boolean newTrusted;
    private boolean curTrusted;
    private long newListedAt;
    private long curListedAt;
    private volatile boolean removed;

    MaildirFolder(MaildirUser user, String name, Path dir, boolean inbox) {
        this.user = user;
        this.name = name;
        this.dir = dir;
        this.inbox = inbox;
        this.structures = new StructureCache(dir);
    }

    @Override
    public String name() {
        return name;
    }

    Path directory() {
        return dir;
    }

    // ------------------------------------------------------------------ reading

    @Override
    public synchronized MailboxStatus status() throws StoreException {
        sync();
        return new MailboxStatus(index.entries.size(), index.unseen, index.uidValidity, index.uidNext,
                index.highestModSeq, index.totalSize);
    }

    synchronized Usage usage() throws StoreException {
        sync();
        return new Usage(index.entries.size(), index.totalSize);
    }

    synchronized long uidValidity() throws StoreException {
        sync();
        return index.uidValidity;
    }

    synchronized List<Long> uids() throws StoreException {
        sync();
        return List.copyOf(index.entries.keySet());
    }

    @Override
    public synchronized List<MessageInfo> messages() throws StoreException {
        sync();
        return index.entries.values().stream().map(Entry::info).toList();
    }

    @Override
    public synchronized Optional<MessageInfo> message(long uid) throws StoreException {
        sync();
        return Optional.ofNullable(index.entries.get(uid)).map(Entry::info);
    }

    @Override
    public synchronized MessageContent content(long uid) throws StoreException {
        sync();
        Entry e = index.entries.get(uid);
        if (e == null) {
            throw new StoreException(Reason.NOT_FOUND, "no message with UID " + uid + " in " + name);
        }
        return new StoredContent(uid, e.size());
    }

    /** From the folder's {@link StructureCache}; a message not yet in it is parsed outside the lock. */
    @Override
    public MessageStructure structure(long uid) throws StoreException {
        MessageContent content;
        long uidValidity;
        synchronized (this) {
            sync();
            Entry e = index.entries.get(uid);
            if (e == null) {
                throw new StoreException(Reason.NOT_FOUND, "no message with UID " + uid + " in " + name);
            }
            uidValidity = index.uidValidity;
            Optional<MessageStructure> cached = structures.cached(uidValidity, uid, index.entries::containsKey);
            if (cached.isPresent()) {
                return cached.get();
            }
            content = new StoredContent(uid, e.size());
        }
        return structures.parse(uidValidity, uid, content, user.parser());
    }

    /**
     * A message's bytes, found by UID when a stream is opened: a flag change renames the file,
     * so the path is looked up each time rather than kept.
     */
    private final class StoredContent implements MessageContent {
        private final long uid;
        private final long size;

        StoredContent(long uid, long size) {
            this.uid = uid;
            this.size = size;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public InputStream openStream() throws IOException {
            try {
                return Files.newInputStream(locate(uid, false));
            } catch (NoSuchFileException e) {
                // Renamed by another program between our look and the open: look again, once.
                return Files.newInputStream(locate(uid, true));
            }
        }
    }

    private synchronized Path locate(long uid, boolean rescan) throws IOException {
        if (rescan) {
            distrust();
        }
        try {
            sync();
        } catch (StoreException e) {
            throw new IOException(e.getMessage(), e);
        }
        Entry e = index.entries.get(uid);
        if (e == null) {
            throw new NoSuchFileException(dir + " UID " + uid, null, "message was expunged");
        }
        return dir.resolve(e.location());
    }

    @Override
    public synchronized Optional<List<Long>> expungedSince(long modSeq) throws StoreException {
        sync();
        if (modSeq < index.expungedFloor) {
            return Optional.empty();
        }
        return Optional.of(index.history.stream().filter(x -> x.modSeq() > modSeq).map(UidList.Expunge::uid)
                .distinct().sorted().toList());
    }

    // ------------------------------------------------------------------ append

    @Override
    public MessageInfo append(MessageContent content, Flags flags, Optional<Instant> internalDate)
            throws StoreException {
        return store(List.of(new Incoming(content, flags, internalDate.orElseGet(Instant::now))), true).messages()
                .get(0);
    }

    /**
     * Adds messages. Each is written to tmp/ and forced to disk without holding the folder's lock,
     * so concurrent deliveries overlap their I/O. Renaming into new/ or cur/, the directory fsync
     * and the UID-list write then happen as a group commit: the appender that gets the folder's
     * lock first takes every append waiting at that moment and makes them durable with one
     * directory fsync and one UID-list fsync, the others find their result ready when they get
     * the lock. One folder receiving many messages at once (the common case of a busy INBOX)
     * thus pays two fsyncs per batch instead of two per message, and no append returns before
     * the fsyncs that cover it.
     */
    Stored store(List<Incoming> incoming, boolean countsToQuota) throws StoreException {
        if (countsToQuota && user.hasLimits()) {
            long bytes = incoming.stream().mapToLong(i -> i.content().size()).sum();
            // checked and reserved under the user's quota lock, so two cannot both pass the check;
            // the write itself runs outside it and can join other appends' group commit
            user.reserveQuota(bytes, incoming.size());
            try {
                return write(incoming);
            } finally {
                user.releaseQuota(bytes, incoming.size());
            }
        }
        return write(incoming);
    }

    /** Appends waiting for a group commit, in arrival order; drained under the folder's lock. */
    private final java.util.concurrent.ConcurrentLinkedQueue<Append> appends = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** One caller's messages, written to tmp/ and waiting to be renamed and indexed. */
    private static final class Append {
        final List<Incoming> incoming;
        final List<Path> temps;
        final List<Long> sizes;
        // guarded by the folder's lock
        boolean done;
        Stored result;
        StoreException failure;

        Append(List<Incoming> incoming, List<Path> temps, List<Long> sizes) {
            this.incoming = incoming;
            this.temps = temps;
            this.sizes = sizes;
        }
    }

    private Stored write(List<Incoming> incoming) throws StoreException {
        return write(incoming, false);
    }

    private Stored write(List<Incoming> incoming, boolean retried) throws StoreException {
        // NOT_FOUND before any byte is written. Not under the folder's lock: a group commit may be
        // holding it through its fsyncs, and the tmp/ writes are meant to overlap those. A folder
        // removed meanwhile is caught by the commit (under the lock) or by the write into tmp/.
        if (removed) {
            throw gone();
        }
        if (index == null) {
            // load before writing: loading clears tmp/ of files older than a day, and a tmp file
            // carries its INTERNALDATE as mtime (a racy read: at worst we take the lock needlessly,
            // and a reload racing our write ends in NoSuchFile, which is retried below)
            synchronized (this) {
                syncIndexOnly();
            }
        }
        List<Path> temps = new ArrayList<>();
        try {
            List<Long> sizes = new ArrayList<>();
            for (Incoming in : incoming) {
                Path tmp = dir.resolve("tmp").resolve(MaildirFiles.uniqueName());
                temps.add(tmp);
                // Dovecot and others read INTERNALDATE from the mtime, so it is set there too, unless
                // the file's own mtime already says it (a delivery now): three syscalls saved
                Instant date = in.date().truncatedTo(ChronoUnit.SECONDS);
                Optional<FileTime> mtime = Math.abs(Duration.between(date, Instant.now()).toMillis()) < 2_000
                        ? Optional.empty() : Optional.of(FileTime.from(date));
                try (InputStream s = in.content().openStream()) {
                    sizes.add(MaildirFiles.writeDurably(s, tmp, mtime));
                }
            }
            Append mine = new Append(incoming, temps, sizes);
            appends.add(mine);
            synchronized (this) {
                if (!mine.done) {
                    commitAppends();
                }
                if (mine.failure != null) {
                    throw mine.failure;
                }
                return mine.result;
            }
        } catch (NoSuchFileException e) {
            synchronized (this) {
                distrust();
                sync(); // NOT_FOUND when the folder went away while we wrote; INBOX is made again
            }
            if (!retried) {
                // another program removed the Maildir (INBOX comes back at once): write it again
                // rather than fail a delivery that would then wait a retry interval
                return write(incoming, true);
            }
            throw unavailable(e);
        } catch (IOException e) {
            throw unavailable(e);
        } finally {
            // the committer nulls what it moved; we saw its work under the lock (done) before here
            for (Path t : temps) {
                if (t != null) {
                    try {
                        Files.deleteIfExists(t);
                    } catch (IOException e) {
                        LOG.warn("cannot remove {}: {}", t, e.toString());
                    }
                }
            }
        }
    }

    /** Renames and indexes every waiting append as one change on disk; called with the lock held. */
    private void commitAppends() {
        List<Append> batch = new ArrayList<>();
        for (Append a; (a = appends.poll()) != null;) {
            batch.add(a);
        }
        List<MailboxEvent> events = new ArrayList<>();
        try {
            // No directory scan here: a delivery only needs the next UID. Files another
            // program put into new/ or cur/ meanwhile get their (higher) UIDs at the next
            // read, whose sync() sees the directories' changed mtimes. Without this, every
            // delivery listed the whole of new/ (7 ms per append at 5,000 unread messages).
            syncIndexOnly();
            boolean wroteNew = false;
            boolean wroteCur = false;
            List<List<MessageInfo>> added = new ArrayList<>();
            try {
                FileTime newBefore = mtime("new");
                FileTime curBefore = mtime("cur");
                for (Append a : batch) {
                    List<MessageInfo> mine = new ArrayList<>();
                    added.add(mine);
                    for (int i = 0; i < a.incoming.size(); i++) {
                        Incoming in = a.incoming.get(i);
                        long size = a.sizes.get(i);
                        // The Maildir++ size suffix lets quota tools sum sizes without stat(2).
                        String base = a.temps.get(i).getFileName() + ",S=" + size;
                        String location = in.flags().system().isEmpty() ? "new/" + base
                                : "cur/" + MaildirFiles.withFlags(base, in.flags().system());
                        Files.move(a.temps.get(i), dir.resolve(location), StandardCopyOption.ATOMIC_MOVE);
                        a.temps.set(i, null);
                        if (location.startsWith("new/")) {
                            wroteNew = true;
                        } else {
                            wroteCur = true;
                        }
                        Entry e = new Entry(index.uidNext++, ++index.highestModSeq, size,
                                in.date().truncatedTo(ChronoUnit.SECONDS), in.flags().keywords(), location);
                        index.put(e);
                        mine.add(e.info());
                        events.add(new MailboxEvent.Appended(name, e.modSeq(), e.info()));
                    }
                }
                if (wroteNew) {
                    MaildirFiles.forceDirectory(dir.resolve("new"));
                }
                if (wroteCur) {
                    MaildirFiles.forceDirectory(dir.resolve("cur"));
                }
                ownChanges(newBefore, curBefore);
                index.flush(dir);
            } catch (NoSuchFileException e) {
                distrust();
                sync(); // NOT_FOUND when the folder went away while we wrote
                throw unavailable(e);
            } catch (IOException e) {
                index = null; // memory is ahead of disk: reload; files already moved are found by the scan
                throw unavailable(e);
            }
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result = new Stored(index.uidValidity, added.get(i));
            }
            publish(events);
        } catch (StoreException e) {
            for (Append a : batch) {
                a.failure = e;
            }
        } catch (RuntimeException e) {
            index = null;
            StoreException failure = new StoreException(Reason.UNAVAILABLE, "append to " + name + " failed: " + e, e);
            for (Append a : batch) {
                a.failure = failure;
            }
        } finally {
            for (Append a : batch) {
                a.done = true;
            }
        }
    }

    // ------------------------------------------------------------------ flags and expunge

    @Override
    public synchronized FlagUpdate updateFlags(Collection<Long> uids, FlagChange change, Flags flags,
            OptionalLong unchangedSince) throws StoreException {
        sync();
        List<MessageInfo> updated = new ArrayList<>();
        List<Long> failed = new ArrayList<>();
        List<MailboxEvent> events = new ArrayList<>();
        try {
            FileTime newBefore = mtime("new");
            FileTime curBefore = mtime("cur");
            boolean renamed = false;
            for (long uid : new TreeSet<>(uids)) {
                Entry e = index.entries.get(uid);
                if (e == null) {
                    continue; // RFC 3501 §6.4.8: UIDs that do not exist are ignored
                }
                if (unchangedSince.isPresent() && e.modSeq() > unchangedSince.getAsLong()) {
                    failed.add(uid); // RFC 7162 §3.1.3
                    continue;
                }
                MessageInfo info = e.info();
                Flags next = info.flags().apply(change, flags);
                if (next.equals(info.flags())) {
                    updated.add(info);
                    continue;
                }
                String location = e.location();
                if (!next.system().equals(info.flags().system())) {
                    String target = "cur/" + MaildirFiles.withFlags(e.fileName(), next.system());
                    Files.move(dir.resolve(location), dir.resolve(target), StandardCopyOption.ATOMIC_MOVE);
                    location = target;
                    renamed = true;
                }
                Entry changed = new Entry(uid, ++index.highestModSeq, e.size(), e.date(), next.keywords(), location);
                index.put(changed);
                updated.add(changed.info());
                events.add(new MailboxEvent.FlagsChanged(name, changed.modSeq(), changed.info()));
            }
            if (renamed) {
                MaildirFiles.forceDirectory(dir.resolve("new"));
                MaildirFiles.forceDirectory(dir.resolve("cur"));
                ownChanges(newBefore, curBefore);
            }
            if (!events.isEmpty()) {
                index.flush(dir);
            }
        } catch (IOException e) {
            index = null;
            throw unavailable(e);
        }
        publish(events);
        return new FlagUpdate(updated, failed);
    }

    @Override
    public synchronized List<Long> expunge(Optional<Collection<Long>> uids) throws StoreException {
        sync();
        Set<Long> limit = uids.<Set<Long>>map(TreeSet::new).orElse(null);
        List<Long> gone = new ArrayList<>();
        for (Entry e : index.entries.values()) {
            if (MaildirFiles.hasFlag(e.fileName(), 'T')
                    && (limit == null || limit.contains(e.uid()))) {
                gone.add(e.uid());
            }
        }
        if (gone.isEmpty()) {
            return List.of();
        }
        deleteMessages(gone);
        return gone;
    }

    /** Deletes the files of messages and forgets them as one change; called with the lock held. */
    private void deleteMessages(List<Long> uids) throws StoreException {
        MailboxEvent event;
        try {
            for (long uid : uids) {
                Files.deleteIfExists(dir.resolve(index.entries.get(uid).location()));
            }
            MaildirFiles.forceDirectory(dir.resolve("new"));
            MaildirFiles.forceDirectory(dir.resolve("cur"));
            event = forget(uids);
            index.flush(dir);
        } catch (IOException e) {
            index = null;
            throw unavailable(e);
        }
        publish(List.of(event));
    }

    /** Removes messages from the index as one change and returns its event; called with the lock held. */
    private MailboxEvent forget(List<Long> uids) {
        long modSeq = index.highestModSeq + 1;
        index.expunge(modSeq, uids);
        structures.forget(uids);
        distrust();
        return new MailboxEvent.Expunged(name, modSeq, uids);
    }

    // ------------------------------------------------------------------ copy and move

    @Override
    public CopyResult copyTo(Collection<Long> uids, String targetFolder) throws StoreException {
        MaildirFolder target = user.folder(targetFolder);
        List<Incoming> incoming = new ArrayList<>();
        List<Long> sourceUids = new ArrayList<>();
        synchronized (this) {
            sync();
            for (long uid : new TreeSet<>(uids)) {
                Entry e = index.entries.get(uid);
                if (e != null) {
                    MessageInfo info = e.info();
                    sourceUids.add(uid);
                    incoming.add(new Incoming(new StoredContent(uid, e.size()), info.flags(), info.internalDate()));
                }
            }
        }
        if (incoming.isEmpty()) {
            return new CopyResult(target.uidValidity(), List.of(), List.of());
        }
        // Streams the bytes into new files; the whole COPY passes or fails the quota (RFC 9208 §4.1).
        Stored stored = target.store(incoming, true);
        return new CopyResult(stored.uidValidity(), sourceUids, stored.messages().stream().map(MessageInfo::uid).toList());
    }

    /**
     * Moves by renaming each file into the target's directory: atomic per message, so a crash
     * leaves every message in exactly one folder (the scan of the source then sees it gone).
     */
    @Override
    public CopyResult moveTo(Collection<Long> uids, String targetFolder) throws StoreException {
        MaildirFolder target = user.folder(targetFolder);
        if (target == this) {
            CopyResult copied = copyTo(uids, targetFolder);
            synchronized (this) {
                sync();
                List<Long> still = copied.sourceUids().stream().filter(index.entries::containsKey).toList();
                if (!still.isEmpty()) {
                    deleteMessages(still);
                }
            }
            return copied;
        }
        // Two folder locks, always taken in the same order, so two opposite moves cannot deadlock.
        MaildirFolder first = dir.compareTo(target.dir) < 0 ? this : target;
        MaildirFolder second = first == this ? target : this;
        synchronized (first) {
            synchronized (second) {
                sync();
                target.sync();
                List<Long> sourceUids = new ArrayList<>();
                List<Long> targetUids = new ArrayList<>();
                List<MailboxEvent> targetEvents = new ArrayList<>();
                MailboxEvent expunged;
                try {
                    for (long uid : new TreeSet<>(uids)) {
                        Entry e = index.entries.get(uid);
                        if (e == null) {
                            continue;
                        }
                        String sub = e.location().substring(0, 4);
                        String file = e.fileName();
                        if (target.index.byBaseName.containsKey(e.baseName()) || Files.exists(target.dir.resolve(sub + file))) {
                            // rename(2) would silently replace a file of the same name: pick a new one.
                            file = MaildirFiles.uniqueName() + ",S=" + e.size() + file.substring(e.baseName().length());
                        }
                        Files.move(dir.resolve(e.location()), target.dir.resolve(sub + file), StandardCopyOption.ATOMIC_MOVE);
                        Entry moved = new Entry(target.index.uidNext++, ++target.index.highestModSeq, e.size(), e.date(),
                                e.keywords(), sub + file);
                        target.index.put(moved);
                        targetEvents.add(new MailboxEvent.Appended(target.name, moved.modSeq(), moved.info()));
                        sourceUids.add(uid);
                        targetUids.add(moved.uid());
                    }
                    if (sourceUids.isEmpty()) {
                        return new CopyResult(target.index.uidValidity, List.of(), List.of());
                    }
                    for (Path d : List.of(target.dir.resolve("new"), target.dir.resolve("cur"), dir.resolve("new"),
                            dir.resolve("cur"))) {
                        MaildirFiles.forceDirectory(d);
                    }
                    target.distrust();
                    // Target first: after a crash between the two writes the source's scan sees the files gone.
                    target.index.flush(target.dir);
                    expunged = forget(sourceUids);
                    index.flush(dir);
                } catch (IOException e) {
                    index = null;
                    target.index = null;
                    throw unavailable(e);
                }
                target.publish(targetEvents);
                publish(List.of(expunged));
                return new CopyResult(target.index.uidValidity, sourceUids, targetUids);
            }
        }
    }

    // ------------------------------------------------------------------ listeners

    @Override
    public ListenerRegistration addListener(MailboxListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Called with the lock held, so every listener sees events in the order of their MODSEQs. */
    private void publish(List<MailboxEvent> events) {
        for (MailboxEvent event : events) {
            for (MailboxListener l : listeners) {
                try {
                    l.changed(event);
                } catch (RuntimeException e) {
                    LOG.warn("mailbox listener failed on {} of {}", event.getClass().getSimpleName(), name, e);
                }
            }
        }
    }

    /** The folder was deleted or renamed away: this handle is dead from now on. */
    synchronized void markRemoved() {
        if (!removed) {
            removed = true;
            publish(List.of(new MailboxEvent.Removed(name, index == null ? 1 : index.highestModSeq)));
        }
    }

    // ------------------------------------------------------------------ sync with the disk

    /**
     * What an append needs: the store open, the folder still there, the index loaded (scanning the
     * directories only when the index is first loaded). Called with the lock held.
     */
    private void syncIndexOnly() throws StoreException {
        if (index == null || removed || !Files.isDirectory(dir.resolve("cur"))) {
            sync();
            return;
        }
        user.ensureOpen();
    }

    /**
     * Brings the index up to date with the directory: loads it on first use, then rescans new/ and
     * cur/ unless their mtimes are unchanged since a trusted scan. Called with the lock held.
     */
    private void sync() throws StoreException {
        user.ensureOpen();
        if (removed) {
            throw gone();
        }
        try {
            if (!Files.isDirectory(dir.resolve("cur"))) {
                if (!inbox) {
                    user.forget(name, this);
                    markRemoved();
                    throw gone();
                }
                MaildirUser.createMaildir(dir); // another program removed INBOX's directories: INBOX always exists
            }
            if (index == null) {
                load();
            }
            FileTime n = Files.getLastModifiedTime(dir.resolve("new"));
            FileTime c = Files.getLastModifiedTime(dir.resolve("cur"));
            long now = System.currentTimeMillis();
            boolean listNew = !n.equals(scannedNew) || (!newTrusted && now - newListedAt >= UNTRUSTED_RELIST_MILLIS);
            boolean listCur = !c.equals(scannedCur) || (!curTrusted && now - curListedAt >= UNTRUSTED_RELIST_MILLIS);
            if (!listNew && !listCur) {
                return;
            }
            long settled = System.currentTimeMillis() - SETTLE_MILLIS;
            scan(Map.of(), listNew, listCur);
            if (listNew) {
                scannedNew = n;
                newTrusted = n.toMillis() < settled;
                newListedAt = now;
            }
            if (listCur) {
                scannedCur = c;
                curTrusted = c.toMillis() < settled;
                curListedAt = now;
            }
        } catch (IOException e) {
            index = null;
            throw unavailable(e);
        }
    }

    private void load() throws IOException {
        // A half-written index from a crash: the complete one (or none) is next to it.
        Files.deleteIfExists(dir.resolve(UidList.FILE + ".tmp"));
        removeOldTemporaryFiles();
        boolean damaged = false;
        try {
            Optional<UidList> read = UidList.read(dir);
            if (read.isPresent()) {
                index = read.get();
                distrust();
                return;
            }
        } catch (IllegalArgumentException e) {
            damaged = true;
            LOG.warn("{}; its messages get new UIDs and a new UIDVALIDITY", e.getMessage());
        }
        Optional<UidList.DovecotUids> dovecot = damaged ? Optional.empty() : UidList.readDovecot(dir);
        Map<String, Long> preassigned = Map.of();
        if (dovecot.isPresent()) {
            index = new UidList(dovecot.get().uidValidity(), user.defaultSpecialUse(name));
            index.uidNext = dovecot.get().uidNext();
            preassigned = dovecot.get().uids();
            LOG.info("{}: taking over UIDs from {}", dir, UidList.DOVECOT_FILE);
        } else {
            index = new UidList(user.nextUidValidity(), user.defaultSpecialUse(name));
        }
        index.expungedFloor = index.highestModSeq; // nothing is known of expunges before now
        index.write(dir);
        scan(preassigned, true, true);
    }

    private void removeOldTemporaryFiles() throws IOException {
        Path tmp = dir.resolve("tmp");
        if (!Files.isDirectory(tmp)) {
            Files.createDirectories(tmp);
            return;
        }
        Instant limit = Instant.now().minus(TMP_MAX_AGE);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(tmp)) {
            for (Path f : files) {
                if (Files.getLastModifiedTime(f).toInstant().isBefore(limit)) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    /**
     * Reconciles the index with the files in new/ and cur/: files gone are expunged, files renamed
     * carry new flags, unknown files are new messages (from a delivery agent, a migration, or our
     * own write before a crash). Called with the lock held.
     */
    private void scan(Map<String, Long> preassigned, boolean listNew, boolean listCur) throws IOException {
        Map<String, String> present = new HashMap<>();
        for (String sub : List.of("new", "cur")) {
            if (sub.equals("new") ? !listNew : !listCur) {
                // Unchanged since a trusted listing: the index knows what is there.
                for (Entry e : index.entries.values()) {
                    if (e.location().startsWith(sub)) {
                        present.put(e.baseName(), e.location());
                    }
                }
                continue;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir.resolve(sub))) {
                for (Path f : files) {
                    String file = f.getFileName().toString();
                    if (file.indexOf('\n') >= 0 || file.indexOf('\r') >= 0) {
                        // One line per message in the UID list: such a name would break it.
                        LOG.warn("ignoring {}: line break in its name", f);
                    } else if (!file.startsWith(".")) {
                        present.put(MaildirFiles.baseName(file), sub + "/" + file); // cur/ wins over new/
                    }
                }
            }
        }
        List<MailboxEvent> events = new ArrayList<>();
        List<Long> gone = index.entries.values().stream().filter(e -> !present.containsKey(e.baseName()))
                .map(Entry::uid).toList();
        if (!gone.isEmpty()) {
            events.add(forget(gone));
        }
        boolean changed = !events.isEmpty();
        for (Entry e : new ArrayList<>(index.entries.values())) {
            String location = present.get(e.baseName());
            if (location.equals(e.location())) {
                continue;
            }
            changed = true; // a reader moved new/ to cur/, or flags changed: keep the index current
            boolean flagsChanged = !MaildirFiles.flagsOf(location).equals(MaildirFiles.flagsOf(e.location()));
            Entry moved = new Entry(e.uid(), flagsChanged ? ++index.highestModSeq : e.modSeq(), e.size(), e.date(),
                    e.keywords(), location);
            index.put(moved);
            if (flagsChanged) {
                events.add(new MailboxEvent.FlagsChanged(name, moved.modSeq(), moved.info()));
            }
        }
        List<String> fresh = new ArrayList<>();
        for (String base : present.keySet()) {
            if (!index.byBaseName.containsKey(base)) {
                fresh.add(base);
            }
        }
        // Migrated UIDs first (they are below UIDNEXT), then the rest in name order, which is
        // delivery order for names that start with the time.
        fresh.sort(Comparator.comparing((String b) -> preassigned.getOrDefault(b, Long.MAX_VALUE))
                .thenComparing(Comparator.naturalOrder()));
        Map<Character, String> keywordLetters = null;
        for (String base : fresh) {
            String location = present.get(base);
            Set<String> keywords = Set.of();
            String letters = MaildirFiles.keywordLetters(location);
            if (!letters.isEmpty()) {
                // Migration from Dovecot: its keywords are lower-case letters named in dovecot-keywords.
                if (keywordLetters == null) {
                    keywordLetters = UidList.readDovecotKeywords(dir);
                }
                Set<String> mapped = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
                for (char c : letters.toCharArray()) {
                    String k = keywordLetters.get(c);
                    if (k != null) {
                        mapped.add(k);
                    }
                }
                keywords = mapped;
            }
            BasicFileAttributes attrs;
            try {
                attrs = Files.readAttributes(dir.resolve(location), BasicFileAttributes.class);
            } catch (NoSuchFileException e) {
                continue; // renamed or removed while we looked; the next scan sees it
            }
            Long migrated = preassigned.get(base);
            long uid = migrated != null && migrated < index.uidNext && !index.entries.containsKey(migrated) ? migrated
                    : index.uidNext++;
            // The size is the file's, never a name's ",S=" claim: protocols announce it as a literal length.
            Entry e = new Entry(uid, ++index.highestModSeq, attrs.size(),
                    attrs.lastModifiedTime().toInstant().truncatedTo(ChronoUnit.SECONDS), keywords, location);
            index.put(e);
            events.add(new MailboxEvent.Appended(name, e.modSeq(), e.info()));
            changed = true;
        }
        if (changed) {
            index.flush(dir);
        }
        publish(events);
    }

    /** After changes of our own: both directories are listed on the next access. */
    private void distrust() {
        newTrusted = false;
        curTrusted = false;
        newListedAt = 0;
        curListedAt = 0;
    }

    private FileTime mtime(String sub) throws IOException {
        return Files.getLastModifiedTime(dir.resolve(sub));
    }

    /**
     * Our own renames changed new/ and cur/: the index already knows, so remember the new mtimes
     * instead of listing the directories again, unless another program changed them since the
     * last listing (their mtimes before our renames differ from what we listed). Called with the
     * lock held, after the directories were forced to disk.
     */
    private void ownChanges(FileTime newBefore, FileTime curBefore) throws IOException {
        if (newBefore.equals(scannedNew)) {
            scannedNew = mtime("new");
        }
        if (curBefore.equals(scannedCur)) {
            scannedCur = mtime("cur");
        }
    }

    private StoreException gone() {
        return new StoreException(Reason.NOT_FOUND, "folder was deleted or renamed: " + name);
    }

    private StoreException unavailable(IOException e) {
        LOG.warn("Maildir folder {}: {}", dir, e.toString());
        return new StoreException(Reason.UNAVAILABLE, "cannot access folder " + name, e);
    }
}
