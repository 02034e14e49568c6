package dev.postwerk.store.memory.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.postwerk.api.mail.MessageContent;
import dev.postwerk.api.mail.MessageParser;
import dev.postwerk.api.mail.MessageStructure;
import dev.postwerk.api.store.CopyResult;
import dev.postwerk.api.store.FlagUpdate;
import dev.postwerk.api.store.Flags;
import dev.postwerk.api.store.Mailbox;
import dev.postwerk.api.store.MailboxEvent;
import dev.postwerk.api.store.MailboxListener;
import dev.postwerk.api.store.MailboxStatus;
import dev.postwerk.api.store.MessageInfo;
import dev.postwerk.api.store.SpecialUse;
import dev.postwerk.api.store.StoreException;
import dev.postwerk.api.store.StoreException.Reason;

/**
 * One folder in memory. Also the {@link Mailbox} handle: once deleted or renamed away, the
 * object answers NOT_FOUND, and a folder created under the old name is a new object.
 */
final class MemoryFolder implements Mailbox {

    private static final Logger LOG = LoggerFactory.getLogger(MemoryFolder.class);

    /**
     * A message; {@code structure} is its parsed structure once asked for, shared by every copy
     * of the same bytes (flag changes, COPY, MOVE), since it depends on nothing else.
     */
    private record Stored(MessageInfo info, byte[] bytes, AtomicReference<MessageStructure> structure) {
    }

    private record Expunge(long modSeq, long uid) {
    }

    private final MemoryUser user;
    private final String name;
    private final Set<SpecialUse> specialUse;
    private final long uidValidity;
    private final List<MailboxListener> listeners = new CopyOnWriteArrayList<>();
    // The fields below are guarded by user.lock.
    private final TreeMap<Long, Stored> messages;
    private final List<Expunge> expunged;
    private long uidNext;
    private long highestModSeq;
    private boolean removed;

    MemoryFolder(MemoryUser user, String name, Set<SpecialUse> specialUse, long uidValidity) {
        this(user, name, specialUse, uidValidity, new TreeMap<>(), new ArrayList<>(), 1, 1);
    }

    private MemoryFolder(MemoryUser user, String name, Set<SpecialUse> specialUse, long uidValidity,
            TreeMap<Long, Stored> messages, List<Expunge> expunged, long uidNext, long highestModSeq) {
        this.user = user;
        this.name = name;
        this.specialUse = Set.copyOf(specialUse);
        this.uidValidity = uidValidity;
        this.messages = messages;
        this.expunged = expunged;
        this.uidNext = uidNext;
        this.highestModSeq = highestModSeq;
    }

    @Override
    public String name() {
        return name;
    }

    Set<SpecialUse> specialUse() {
        return specialUse;
    }

    @Override
    public MailboxStatus status() throws StoreException {
        synchronized (user.lock) {
            checkLive();
            long unseen = messages.values().stream().filter(s -> !s.info().flags().contains(Flags.Flag.SEEN)).count();
            return new MailboxStatus(messages.size(), unseen, uidValidity, uidNext, highestModSeq, totalSize());
        }
    }

    long totalSize() {
        return messages.values().stream().mapToLong(s -> s.info().size()).sum();
    }

    long count() {
        return messages.size();
    }

    @Override
    public List<MessageInfo> messages() throws StoreException {
        synchronized (user.lock) {
            checkLive();
            return messages.values().stream().map(Stored::info).toList();
        }
    }

    @Override
    public Optional<MessageInfo> message(long uid) throws StoreException {
        synchronized (user.lock) {
            checkLive();
            return Optional.ofNullable(messages.get(uid)).map(Stored::info);
        }
    }

    @Override
    public MessageContent content(long uid) throws StoreException {
        synchronized (user.lock) {
            checkLive();
            Stored stored = messages.get(uid);
            if (stored == null) {
                throw new StoreException(Reason.NOT_FOUND, "no message with UID " + uid + " in " + name);
            }
            return MessageContent.ofBytes(stored.bytes());
        }
    }

    /**
     * Parsed on first use, outside the lock (bytes never change), and kept with the message. When
     * two sessions ask at once both parse; the first result stays.
     */
    @Override
    public MessageStructure structure(long uid) throws StoreException {
        Stored stored;
        synchronized (user.lock) {
            checkLive();
            stored = messages.get(uid);
            if (stored == null) {
                throw new StoreException(Reason.NOT_FOUND, "no message with UID " + uid + " in " + name);
            }
        }
        MessageStructure known = stored.structure().get();
        if (known != null) {
            return known;
        }
        MessageParser parser = user.parser();
        if (parser == null) {
            throw new StoreException(Reason.UNAVAILABLE, "no MessageParser service to read the structure of UID " + uid);
        }
        MessageStructure parsed;
        try {
            parsed = parser.parse(new ByteArrayInputStream(stored.bytes()));
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot parse UID {} of {}", uid, name, e);
            throw new StoreException(Reason.UNAVAILABLE, "cannot parse UID " + uid + " of " + name, e);
        }
        stored.structure().compareAndSet(null, parsed);
        return stored.structure().get();
    }

    @Override
    public MessageInfo append(MessageContent content, Flags flags, Optional<Instant> internalDate)
            throws StoreException {
        byte[] bytes;
        try (InputStream in = content.openStream()) {
            bytes = in.readAllBytes(); // an in-memory store holds the message in memory by definition
        } catch (IOException e) {
            throw new StoreException(Reason.UNAVAILABLE, "cannot read message to append", e);
        }
        synchronized (user.lock) {
            checkLive();
            user.checkQuota(bytes.length, 1);
            return add(bytes, flags, internalDate.orElseGet(Instant::now), new AtomicReference<>());
        }
    }

    /** Adds a message with the next UID and MODSEQ; called with the user's lock held. */
    private MessageInfo add(byte[] bytes, Flags flags, Instant date, AtomicReference<MessageStructure> structure) {
        // INTERNALDATE has second precision in IMAP (RFC 3501 §9 date-time).
        MessageInfo info = new MessageInfo(uidNext++, bytes.length, date.truncatedTo(ChronoUnit.SECONDS), flags,
                ++highestModSeq);
        messages.put(info.uid(), new Stored(info, bytes, structure));
        publish(new MailboxEvent.Appended(name, highestModSeq, info));
        return info;
    }

    @Override
    public FlagUpdate updateFlags(Collection<Long> uids, FlagChange change, Flags flags,
            OptionalLong unchangedSince) throws StoreException {
        synchronized (user.lock) {
            checkLive();
            List<MessageInfo> updated = new ArrayList<>();
            List<Long> failed = new ArrayList<>();
            for (long uid : new TreeSet<>(uids)) {
                Stored stored = messages.get(uid);
                if (stored == null) {
                    continue; // RFC 3501 §6.4.8: UIDs that do not exist are ignored
                }
                MessageInfo info = stored.info();
                if (unchangedSince.isPresent() && info.modSeq() > unchangedSince.getAsLong()) {
                    failed.add(uid);
                    continue;
                }
                Flags next = info.flags().apply(change, flags);
                if (next.equals(info.flags())) {
                    updated.add(info);
                    continue;
                }
                MessageInfo changed = new MessageInfo(uid, info.size(), info.internalDate(), next, ++highestModSeq);
                messages.put(uid, new Stored(changed, stored.bytes(), stored.structure()));
                updated.add(changed);
                publish(new MailboxEvent.FlagsChanged(name, highestModSeq, changed));
            }
            return new FlagUpdate(updated, failed);
        }
    }

    @Override
    public List<Long> expunge(Optional<Collection<Long>> uids) throws StoreException {
        synchronized (user.lock) {
            checkLive();
            Set<Long> limit = uids.<Set<Long>>map(TreeSet::new).orElse(null);
            List<Long> gone = new ArrayList<>();
            for (Stored s : messages.values()) {
                if (s.info().flags().contains(Flags.Flag.DELETED) && (limit == null || limit.contains(s.info().uid()))) {
                    gone.add(s.info().uid());
                }
            }
            remove(gone);
            return gone;
        }
    }

    /** Removes messages (ascending UIDs) as one change; called with the user's lock held. */
    private void remove(List<Long> uids) {
        if (uids.isEmpty()) {
            return;
        }
        highestModSeq++;
        for (long uid : uids) {
            messages.remove(uid);
            expunged.add(new Expunge(highestModSeq, uid));
        }
        publish(new MailboxEvent.Expunged(name, highestModSeq, uids));
    }

    @Override
    public CopyResult copyTo(Collection<Long> uids, String targetFolder) throws StoreException {
        return transfer(uids, targetFolder, false);
    }

    @Override
    public CopyResult moveTo(Collection<Long> uids, String targetFolder) throws StoreException {
        return transfer(uids, targetFolder, true);
    }

    private CopyResult transfer(Collection<Long> uids, String targetFolder, boolean move) throws StoreException {
        synchronized (user.lock) {
            checkLive();
            MemoryFolder target = user.target(targetFolder);
            List<Stored> chosen = new ArrayList<>();
            for (long uid : new TreeSet<>(uids)) {
                Stored s = messages.get(uid);
                if (s != null) {
                    chosen.add(s);
                }
            }
            if (!move) {
                // All or nothing: RFC 9208 §4.1 fails the whole COPY when it would exceed the quota.
                user.checkQuota(chosen.stream().mapToLong(s -> s.info().size()).sum(), chosen.size());
            }
            List<Long> sourceUids = new ArrayList<>();
            List<Long> targetUids = new ArrayList<>();
            for (Stored s : chosen) {
                sourceUids.add(s.info().uid());
                targetUids.add(target.add(s.bytes(), s.info().flags(), s.info().internalDate(), s.structure()).uid());
            }
            if (move) {
                remove(sourceUids);
            }
            return new CopyResult(target.uidValidity, sourceUids, targetUids);
        }
    }

    /** Moves every message to {@code target} (RENAME of INBOX); called with the user's lock held. */
    void moveAllTo(MemoryFolder target) {
        List<Long> uids = new ArrayList<>(messages.keySet());
        for (Stored s : messages.values()) {
            target.add(s.bytes(), s.info().flags(), s.info().internalDate(), s.structure());
        }
        remove(uids);
    }

    @Override
    public Optional<List<Long>> expungedSince(long modSeq) throws StoreException {
        synchronized (user.lock) {
            checkLive();
            // Memory keeps the whole history, so the answer is always known.
            return Optional.of(expunged.stream().filter(e -> e.modSeq() > modSeq).map(Expunge::uid).sorted().toList());
        }
    }

    @Override
    public ListenerRegistration addListener(MailboxListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Marks this folder deleted and tells its listeners; called with the user's lock held. */
    void markRemoved() {
        removed = true;
        publish(new MailboxEvent.Removed(name, highestModSeq));
    }

    /** The same folder under a new name; this handle becomes removed. Called with the user's lock held. */
    MemoryFolder renamedTo(String newName) {
        MemoryFolder renamed = new MemoryFolder(user, newName, specialUse, uidValidity, messages, expunged, uidNext,
                highestModSeq);
        markRemoved();
        return renamed;
    }

    private void checkLive() throws StoreException {
        if (removed) {
            throw new StoreException(Reason.NOT_FOUND, "folder was deleted or renamed: " + name);
        }
    }

    /** Events go out under the user's lock, so every listener sees them in the order they happened. */
    private void publish(MailboxEvent event) {
        for (MailboxListener l : listeners) {
            try {
                l.changed(event);
            } catch (RuntimeException e) {
                LOG.warn("mailbox listener failed on {} of {}", event.getClass().getSimpleName(), name, e);
            }
        }
    }
}
