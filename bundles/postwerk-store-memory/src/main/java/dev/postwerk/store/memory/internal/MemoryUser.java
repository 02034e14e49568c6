package dev.postwerk.store.memory.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

import dev.postwerk.api.mail.MessageParser;
import dev.postwerk.api.store.MailboxNames;
import dev.postwerk.api.store.MailboxInfo;
import dev.postwerk.api.store.MailboxStore;
import dev.postwerk.api.store.QuotaUsage;
import dev.postwerk.api.store.SpecialUse;
import dev.postwerk.api.store.StoreException;
import dev.postwerk.api.store.StoreException.Reason;
import dev.postwerk.api.store.UserMailboxes;

/**
 * All folders of one user. Every operation on the user or any of their folders holds
 * {@link #lock}: one lock per user keeps copy, move and rename simple and events in order, and
 * users do not wait for each other.
 */
final class MemoryUser implements UserMailboxes {

    /** RFC 6154 folders every new user gets, with the names most clients look for. */
    static final Map<String, SpecialUse> SPECIAL_FOLDERS = Map.of("Drafts", SpecialUse.DRAFTS, "Sent",
            SpecialUse.SENT, "Junk", SpecialUse.JUNK, "Trash", SpecialUse.TRASH, "Archive", SpecialUse.ARCHIVE);

    final Object lock = new Object();
    private final String user;
    private final MemoryMailboxStore store;
    private final Map<String, MemoryFolder> folders = new HashMap<>();
    private final Set<String> subscriptions = new LinkedHashSet<>();

    MemoryUser(String user, MemoryMailboxStore store) {
        this.user = user;
        this.store = store;
        synchronized (lock) {
            addFolder(MailboxStore.INBOX, Set.of());
            SPECIAL_FOLDERS.forEach((name, use) -> addFolder(name, Set.of(use)));
        }
    }

    @Override
    public String user() {
        return user;
    }

    /** The parser service now, or null while there is none. */
    MessageParser parser() {
        return store.parser();
    }

    @Override
    public List<MailboxInfo> list() {
        synchronized (lock) {
            List<String> names = new ArrayList<>(folders.keySet());
            names.sort(Comparator.comparing((String n) -> !n.equals(MailboxStore.INBOX))
                    .thenComparing(Comparator.naturalOrder()));
            List<MailboxInfo> list = new ArrayList<>();
            for (String name : names) {
                list.add(info(folders.get(name)));
            }
            return list;
        }
    }

    private MailboxInfo info(MemoryFolder folder) {
        String prefix = folder.name() + UserMailboxes.HIERARCHY_DELIMITER;
        boolean children = folders.keySet().stream().anyMatch(n -> n.startsWith(prefix));
        return new MailboxInfo(folder.name(), folder.specialUse(), children);
    }

    @Override
    public MailboxInfo create(String name, Set<SpecialUse> specialUse) throws StoreException {
        String canonical = MailboxNames.canonical(name);
        synchronized (lock) {
            if (folders.containsKey(canonical)) {
                throw new StoreException(Reason.ALREADY_EXISTS, "folder exists: " + canonical);
            }
            for (String parent : MailboxNames.parents(canonical)) {
                if (!folders.containsKey(parent)) {
                    addFolder(parent, Set.of());
                }
            }
            return info(addFolder(canonical, specialUse));
        }
    }

    private MemoryFolder addFolder(String name, Set<SpecialUse> specialUse) {
        MemoryFolder folder = new MemoryFolder(this, name, specialUse, store.nextUidValidity());
        folders.put(name, folder);
        return folder;
    }

    @Override
    public void delete(String name) throws StoreException {
        String canonical = MailboxNames.canonical(name);
        if (canonical.equals(MailboxStore.INBOX)) {
            throw new StoreException(Reason.INVALID_NAME, "INBOX cannot be deleted");
        }
        synchronized (lock) {
            // Sub-folders stay (RFC 3501 §6.3.4 lets a server keep inferior names).
            folder(canonical).markRemoved();
            folders.remove(canonical);
        }
    }

    @Override
    public void rename(String from, String to) throws StoreException {
        String source = MailboxNames.canonical(from);
        String target = MailboxNames.canonical(to);
        synchronized (lock) {
            MemoryFolder folder = folder(source);
            if (!source.equals(MailboxStore.INBOX) && MailboxNames.isSelfOrChild(target, source)) {
                throw new StoreException(Reason.INVALID_NAME, "cannot rename a folder into itself: " + target);
            }
            if (folders.containsKey(target)) {
                throw new StoreException(Reason.ALREADY_EXISTS, "folder exists: " + target);
            }
            if (source.equals(MailboxStore.INBOX)) {
                // RFC 3501 §6.3.5: INBOX stays, its messages move to the new folder.
                create(target, Set.of());
                folder.moveAllTo(folders.get(target));
                return;
            }
            Map<String, String> renames = new HashMap<>();
            for (String name : folders.keySet()) {
                if (MailboxNames.isSelfOrChild(name, source)) {
                    String renamed = target + name.substring(source.length());
                    if (folders.containsKey(renamed)) {
                        throw new StoreException(Reason.ALREADY_EXISTS, "folder exists: " + renamed);
                    }
                    renames.put(name, renamed);
                }
            }
            for (String parent : MailboxNames.parents(target)) {
                if (!folders.containsKey(parent)) {
                    addFolder(parent, Set.of());
                }
            }
            for (Map.Entry<String, String> r : renames.entrySet()) {
                MemoryFolder old = folders.remove(r.getKey());
                folders.put(r.getValue(), old.renamedTo(r.getValue()));
            }
        }
    }

    @Override
    public MemoryFolder mailbox(String name) throws StoreException {
        String canonical = MailboxNames.canonical(name);
        synchronized (lock) {
            return folder(canonical);
        }
    }

    private MemoryFolder folder(String canonical) throws StoreException {
        MemoryFolder folder = folders.get(canonical);
        if (folder == null) {
            throw new StoreException(Reason.NOT_FOUND, "no such folder: " + canonical);
        }
        return folder;
    }

    /** The folder of that name, for copy and move; called with {@link #lock} held. */
    MemoryFolder target(String name) throws StoreException {
        return folder(MailboxNames.canonical(name));
    }

    @Override
    public Set<String> subscriptions() {
        synchronized (lock) {
            return Set.copyOf(subscriptions);
        }
    }

    @Override
    public void setSubscribed(String name, boolean subscribed) throws StoreException {
        String canonical = MailboxNames.canonical(name);
        synchronized (lock) {
            if (subscribed) {
                subscriptions.add(canonical);
            } else {
                subscriptions.remove(canonical);
            }
        }
    }

    @Override
    public QuotaUsage quota() {
        synchronized (lock) {
            long bytes = 0;
            long messages = 0;
            for (MemoryFolder f : folders.values()) {
                bytes += f.totalSize();
                messages += f.count();
            }
            return new QuotaUsage(bytes, store.storageLimit(), messages, store.messageLimit());
        }
    }

    /** Refuses additions that would exceed the limits (RFC 9208 §5); called with {@link #lock} held. */
    void checkQuota(long addBytes, long addMessages) throws StoreException {
        QuotaUsage usage = quota();
        if (exceeds(usage.storageBytes() + addBytes, usage.storageLimit())
                || exceeds(usage.messages() + addMessages, usage.messageLimit())) {
            throw new StoreException(Reason.OVER_QUOTA, "quota of " + user + " exceeded");
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
