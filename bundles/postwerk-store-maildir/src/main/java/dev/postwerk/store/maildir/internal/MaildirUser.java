package dev.postwerk.store.maildir.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.postwerk.api.mail.MessageParser;
import dev.postwerk.api.store.MailboxInfo;
import dev.postwerk.api.store.MailboxStore;
import dev.postwerk.api.store.QuotaUsage;
import dev.postwerk.api.store.SpecialUse;
import dev.postwerk.api.store.StoreException;
import dev.postwerk.api.store.StoreException.Reason;
import dev.postwerk.api.store.UserMailboxes;

/**
 * One user's Maildir++ tree: INBOX in the tree's own cur/new/tmp, other folders in {@code .Name}
 * directories beside them (Maildir++ keeps the hierarchy flat, "." between levels). Shared by
 * all sessions of the user.
 *
 * <p>Locks, always taken in this order: {@link #lock} (folder structure and subscriptions), then
 * {@link #quotaLock} (quota-checked additions), then folder locks (two only in a move, in path
 * order).
 */
final class MaildirUser implements UserMailboxes {

    private static final Logger LOG = LoggerFactory.getLogger(MaildirUser.class);

    static final String SUBSCRIPTIONS = "postwerk-subscriptions";
    /** Marks a Maildir++ sub-folder, as Courier and Dovecot write it. */
    private static final String FOLDER_MARKER = "maildirfolder";
    /** Work directories: ".." cannot start a folder's directory name, so they are never listed. */
    private static final String WORK_PREFIX = "..postwerk-";

    final Object lock = new Object();
    final Object quotaLock = new Object();
    private final MaildirStore store;
    private final String user;
    private final Path root;
    private final ConcurrentMap<String, MaildirFolder> folders = new ConcurrentHashMap<>();

    private MaildirUser(MaildirStore store, String user, Path root) {
        this.store = store;
        this.user = user;
        this.root = root;
    }

    /** Opens a user's tree, making it with INBOX and the special-use folders on first use. */
    static MaildirUser open(MaildirStore store, String user) throws StoreException {
        MaildirSettings settings = store.settings();
        Path root = MaildirNames.userDirectory(settings.root(), user);
        MaildirUser state = new MaildirUser(store, user, root);
        try {
            if (!Files.isDirectory(root)) {
                state.provision(settings);
            }
            state.removeWorkDirectories();
        } catch (IOException e) {
            LOG.warn("cannot open the Maildir of {} at {}: {}", user, root, e.toString());
            throw new StoreException(Reason.UNAVAILABLE, "cannot open mail of " + user, e);
        }
        return state;
    }

    /**
     * Builds the whole new tree in a work directory and renames it into place, so a crash never
     * leaves a half-made user behind (RFC 6154 folders included).
     */
    private void provision(MaildirSettings settings) throws IOException, StoreException {
        Path parent = root.getParent();
        Files.createDirectories(parent);
        Path work = parent.resolve(".postwerk-new-" + UUID.randomUUID());
        try {
            createMaildir(work);
            new UidList(nextUidValidity(), Set.of()).write(work);
            for (Map.Entry<SpecialUse, String> special : settings.specialFolders().entrySet()) {
                String name = MaildirNames.canonical(special.getValue());
                if (!name.equals(MailboxStore.INBOX)) {
                    createFolderIn(work.resolve(MaildirNames.directoryOf(name)), Set.of(special.getKey()));
                }
            }
            try {
                Files.move(work, root, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (!Files.isDirectory(root)) {
                    throw e;
                }
                // Another process made the tree first: use theirs.
            }
            MaildirFiles.forceDirectory(parent);
            LOG.info("made Maildir for {} at {}", user, root);
        } finally {
            MaildirFiles.deleteRecursively(work);
        }
    }

    /** Leftovers of a create or delete cut short by a crash. */
    private void removeWorkDirectories() throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, WORK_PREFIX + "*")) {
            for (Path p : entries) {
                MaildirFiles.deleteRecursively(p);
            }
        }
    }

    static void createMaildir(Path dir) throws IOException {
        for (String sub : List.of("cur", "new", "tmp")) {
            Files.createDirectories(dir.resolve(sub));
        }
    }

    private void createFolderIn(Path dir, Set<SpecialUse> specialUse) throws IOException {
        createMaildir(dir);
        Files.createFile(dir.resolve(FOLDER_MARKER));
        new UidList(nextUidValidity(), specialUse).write(dir);
    }

    long nextUidValidity() {
        return store.nextUidValidity();
    }

    /** The parser service now, or null while there is none. */
    MessageParser parser() {
        return store.parser();
    }

    @Override
    public String user() {
        return user;
    }

    // ------------------------------------------------------------------ folders

    private Path directoryOf(String canonical) throws StoreException {
        return canonical.equals(MailboxStore.INBOX) ? root : root.resolve(MaildirNames.directoryOf(canonical));
    }

    private boolean exists(String canonical) throws StoreException {
        return canonical.equals(MailboxStore.INBOX) || Files.isDirectory(directoryOf(canonical).resolve("cur"));
    }

    /** Folder names on disk, INBOX first, then by name. */
    private List<String> names() throws StoreException {
        TreeSet<String> names = new TreeSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, ".*")) {
            for (Path p : entries) {
                MaildirNames.folderOf(p.getFileName().toString()).filter(n -> Files.isDirectory(p.resolve("cur")))
                        .ifPresent(names::add);
            }
        } catch (IOException e) {
            throw new StoreException(Reason.UNAVAILABLE, "cannot list folders of " + user, e);
        }
        List<String> list = new ArrayList<>();
        list.add(MailboxStore.INBOX);
        list.addAll(names);
        return list;
    }

    /** Special-use of a folder made by another program: by the configured names. */
    Set<SpecialUse> defaultSpecialUse(String name) {
        Set<SpecialUse> uses = new LinkedHashSet<>();
        store.settings().specialFolders().forEach((use, folder) -> {
            if (folder.equals(name)) {
                uses.add(use);
            }
        });
        return uses;
    }

    /** Fails once the store component is stopped: another instance may own the trees now. */
    void ensureOpen() throws StoreException {
        store.ensureOpen();
    }

    @Override
    public List<MailboxInfo> list() throws StoreException {
        ensureOpen();
        List<String> names = names();
        List<MailboxInfo> list = new ArrayList<>();
        for (String name : names) {
            String prefix = name + HIERARCHY_DELIMITER;
            boolean children = names.stream().anyMatch(n -> n.startsWith(prefix));
            Set<SpecialUse> uses = UidList.readSpecialUse(directoryOf(name)).orElseGet(() -> defaultSpecialUse(name));
            list.add(new MailboxInfo(name, uses, children));
        }
        return list;
    }

    @Override
    public MailboxInfo create(String name, Set<SpecialUse> specialUse) throws StoreException {
        ensureOpen();
        String canonical = MaildirNames.canonical(name);
        MaildirNames.directoryOf(canonical); // INVALID_NAME for names too long, before anything is made
        synchronized (lock) {
            if (exists(canonical)) {
                throw new StoreException(Reason.ALREADY_EXISTS, "folder exists: " + canonical);
            }
            try {
                for (String parent : MaildirNames.parents(canonical)) {
                    if (!exists(parent)) {
                        createFolder(parent, Set.of());
                    }
                }
                createFolder(canonical, specialUse);
            } catch (IOException e) {
                throw new StoreException(Reason.UNAVAILABLE, "cannot create " + canonical, e);
            }
            return new MailboxInfo(canonical, specialUse, names().stream().anyMatch(n -> n.startsWith(canonical + HIERARCHY_DELIMITER)));
        }
    }

    /** Makes the folder in a work directory and renames it into place: it appears whole or not at all. */
    private void createFolder(String canonical, Set<SpecialUse> specialUse) throws IOException, StoreException {
        Path work = root.resolve(WORK_PREFIX + "create-" + UUID.randomUUID());
        try {
            createFolderIn(work, specialUse);
            Files.move(work, directoryOf(canonical), StandardCopyOption.ATOMIC_MOVE);
            MaildirFiles.forceDirectory(root);
        } finally {
            MaildirFiles.deleteRecursively(work);
        }
    }

    @Override
    public void delete(String name) throws StoreException {
        ensureOpen();
        String canonical = MaildirNames.canonical(name);
        if (canonical.equals(MailboxStore.INBOX)) {
            throw new StoreException(Reason.INVALID_NAME, "INBOX cannot be deleted");
        }
        synchronized (lock) {
            if (!exists(canonical)) {
                throw new StoreException(Reason.NOT_FOUND, "no such folder: " + canonical);
            }
            // Rename away first (atomic), then remove at leisure: a crash never leaves half a folder.
            // Sub-folders stay, as Maildir++ keeps them in directories of their own.
            Path trash = root.resolve(WORK_PREFIX + "deleted-" + UUID.randomUUID());
            try {
                moveFolderDirectory(canonical, trash);
                MaildirFiles.deleteRecursively(trash);
            } catch (IOException e) {
                throw new StoreException(Reason.UNAVAILABLE, "cannot delete " + canonical, e);
            }
        }
    }

    @Override
    public void rename(String from, String to) throws StoreException {
        ensureOpen();
        String source = MaildirNames.canonical(from);
        String target = MaildirNames.canonical(to);
        MaildirNames.directoryOf(target);
        synchronized (lock) {
            if (!exists(source)) {
                throw new StoreException(Reason.NOT_FOUND, "no such folder: " + source);
            }
            if (!source.equals(MailboxStore.INBOX) && MaildirNames.isSelfOrChild(target, source)) {
                throw new StoreException(Reason.INVALID_NAME, "cannot rename a folder into itself: " + target);
            }
            if (exists(target)) {
                throw new StoreException(Reason.ALREADY_EXISTS, "folder exists: " + target);
            }
            if (source.equals(MailboxStore.INBOX)) {
                // RFC 3501 §6.3.5: INBOX stays, its messages move into the new folder.
                create(target, Set.of());
                MaildirFolder inbox = folder(MailboxStore.INBOX);
                inbox.moveTo(inbox.uids(), target);
                return;
            }
            Map<String, String> renames = new LinkedHashMap<>();
            for (String name : names()) {
                if (MaildirNames.isSelfOrChild(name, source)) {
                    String renamed = target + name.substring(source.length());
                    MaildirNames.directoryOf(renamed);
                    if (exists(renamed)) {
                        throw new StoreException(Reason.ALREADY_EXISTS, "folder exists: " + renamed);
                    }
                    renames.put(name, renamed);
                }
            }
            try {
                for (String parent : MaildirNames.parents(target)) {
                    if (!exists(parent)) {
                        createFolder(parent, Set.of());
                    }
                }
                // Each directory moves atomically with its UID list, so UIDs and UIDVALIDITY stay.
                for (Map.Entry<String, String> r : renames.entrySet()) {
                    moveFolderDirectory(r.getKey(), directoryOf(r.getValue()));
                }
            } catch (IOException e) {
                throw new StoreException(Reason.UNAVAILABLE, "cannot rename " + source, e);
            }
        }
    }

    /**
     * Moves a folder's directory away (rename or delete) under the folder's lock, so no operation
     * of the folder runs half before and half after; its object then answers NOT_FOUND.
     */
    private void moveFolderDirectory(String canonical, Path to) throws IOException, StoreException {
        MaildirFolder cached = folders.remove(canonical);
        if (cached == null) {
            Files.move(directoryOf(canonical), to, StandardCopyOption.ATOMIC_MOVE);
        } else {
            synchronized (cached) {
                Files.move(directoryOf(canonical), to, StandardCopyOption.ATOMIC_MOVE);
                cached.markRemoved();
            }
        }
        MaildirFiles.forceDirectory(root);
    }

    @Override
    public MaildirFolder mailbox(String name) throws StoreException {
        return folder(name);
    }

    /** The one shared object of a folder, for sessions, copy and move. */
    MaildirFolder folder(String name) throws StoreException {
        ensureOpen();
        String canonical = MaildirNames.canonical(name);
        Path dir = directoryOf(canonical);
        MaildirFolder cached = folders.get(canonical);
        if (cached != null) {
            return cached;
        }
        if (!exists(canonical)) {
            throw new StoreException(Reason.NOT_FOUND, "no such folder: " + canonical);
        }
        return folders.computeIfAbsent(canonical,
                n -> new MaildirFolder(this, n, dir, n.equals(MailboxStore.INBOX)));
    }

    /** Drops a folder object whose directory vanished. */
    void forget(String name, MaildirFolder folder) {
        folders.remove(name, folder);
    }

    // ------------------------------------------------------------------ subscriptions

    @Override
    public Set<String> subscriptions() throws StoreException {
        ensureOpen();
        synchronized (lock) {
            return Set.copyOf(readSubscriptions());
        }
    }

    private Set<String> readSubscriptions() throws StoreException {
        try {
            Set<String> names = new LinkedHashSet<>();
            for (String line : Files.readAllLines(root.resolve(SUBSCRIPTIONS), StandardCharsets.UTF_8)) {
                if (!line.isEmpty()) {
                    names.add(line);
                }
            }
            return names;
        } catch (NoSuchFileException e) {
            return new LinkedHashSet<>();
        } catch (IOException e) {
            throw new StoreException(Reason.UNAVAILABLE, "cannot read subscriptions of " + user, e);
        }
    }

    @Override
    public void setSubscribed(String name, boolean subscribed) throws StoreException {
        ensureOpen();
        String canonical = MaildirNames.canonical(name); // no control characters, so one name per line is safe
        synchronized (lock) {
            Set<String> names = readSubscriptions();
            boolean changed = subscribed ? names.add(canonical) : names.remove(canonical);
            if (!changed) {
                return;
            }
            try {
                MaildirFiles.replaceAtomically(root.resolve(SUBSCRIPTIONS), w -> {
                    for (String n : names) {
                        w.write(n);
                        w.write('\n');
                    }
                });
            } catch (IOException e) {
                throw new StoreException(Reason.UNAVAILABLE, "cannot write subscriptions of " + user, e);
            }
        }
    }

    // ------------------------------------------------------------------ quota

    boolean hasLimits() {
        MaildirStore.Limits l = store.limits(user);
        return l.storage().isPresent() || l.messages().isPresent();
    }

    @Override
    public QuotaUsage quota() throws StoreException {
        ensureOpen();
        long messages = 0;
        long bytes = 0;
        for (String name : names()) {
            try {
                MaildirFolder.Usage usage = folder(name).usage();
                messages += usage.messages();
                bytes += usage.bytes();
            } catch (StoreException e) {
                if (e.reason() != Reason.NOT_FOUND) {
                    throw e;
                }
                // deleted while we counted
            }
        }
        MaildirStore.Limits l = store.limits(user);
        return new QuotaUsage(bytes, l.storage(), messages, l.messages());
    }

    /** Additions checked against the quota but not yet stored; guarded by {@link #quotaLock}. */
    private long reservedBytes;
    private long reservedMessages;

    /** Refuses additions beyond the limits (RFC 9208 §5); called with {@link #quotaLock} held. */
    void checkQuota(long addBytes, long addMessages) throws StoreException {
        QuotaUsage usage = quota();
        if (exceeds(usage.storageBytes() + reservedBytes + addBytes, usage.storageLimit())
                || exceeds(usage.messages() + reservedMessages + addMessages, usage.messageLimit())) {
            throw new StoreException(Reason.OVER_QUOTA, "quota of " + user + " exceeded");
        }
    }

    /**
     * Checks an addition against the quota and holds its room until {@link #releaseQuota}: two
     * appends cannot both pass a check that only one of them fits, yet neither holds the quota
     * lock while it writes (which would serialise a user's deliveries behind their fsyncs).
     */
    void reserveQuota(long bytes, long messages) throws StoreException {
        synchronized (quotaLock) {
            checkQuota(bytes, messages);
            reservedBytes += bytes;
            reservedMessages += messages;
        }
    }

    /** Gives back a reservation once the addition is stored (then counted) or failed. */
    void releaseQuota(long bytes, long messages) {
        synchronized (quotaLock) {
            reservedBytes -= bytes;
            reservedMessages -= messages;
        }
    }

    private static boolean exceeds(long value, OptionalLong limit) {
        return limit.isPresent() && value > limit.getAsLong();
    }

    /** Sessions share the user's state, so there is nothing to release. */
    @Override
    public void close() {
    }
}
