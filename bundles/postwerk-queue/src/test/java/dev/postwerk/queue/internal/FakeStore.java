package dev.postwerk.queue.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.postwerk.api.mail.MessageContent;
import dev.postwerk.api.store.CopyResult;
import dev.postwerk.api.store.FlagUpdate;
import dev.postwerk.api.store.Flags;
import dev.postwerk.api.store.Mailbox;
import dev.postwerk.api.store.MailboxInfo;
import dev.postwerk.api.store.MailboxStatus;
import dev.postwerk.api.store.MailboxStore;
import dev.postwerk.api.store.MessageInfo;
import dev.postwerk.api.store.QuotaUsage;
import dev.postwerk.api.store.SpecialUse;
import dev.postwerk.api.store.StoreException;
import dev.postwerk.api.store.UserMailboxes;

/** A tiny in-memory store: folders of byte arrays, with knobs for failures. Only what delivery uses works. */
final class FakeStore implements MailboxStore {

    /** Appends that fail with UNAVAILABLE before one succeeds. */
    final AtomicInteger unavailable = new AtomicInteger();
    volatile boolean overQuota;
    /** Runs after a successful append (crash simulation). */
    volatile Runnable afterAppend = () -> { };
    final Map<String, Map<String, Folder>> users = new ConcurrentHashMap<>();
    final AtomicInteger appends = new AtomicInteger();

    record Stored(long uid, byte[] bytes) {
        String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** Messages of one folder ("INBOX" case-insensitive). */
    List<Stored> messages(String user, String folder) {
        Map<String, Folder> f = users.get(user);
        if (f == null) {
            return List.of();
        }
        Folder folderObj = f.get(folder.equalsIgnoreCase("INBOX") ? "INBOX" : folder);
        return folderObj == null ? List.of() : List.copyOf(folderObj.messages);
    }

    int total() {
        return users.values().stream().flatMap(m -> m.values().stream()).mapToInt(f -> f.messages.size()).sum();
    }

    @Override
    public UserMailboxes open(String user) {
        Map<String, Folder> folders = users.computeIfAbsent(user, u -> {
            Map<String, Folder> m = new ConcurrentHashMap<>();
            m.put("INBOX", new Folder("INBOX"));
            return m;
        });
        return new UserMailboxes() {
            @Override
            public String user() {
                return user;
            }

            @Override
            public List<MailboxInfo> list() {
                throw new UnsupportedOperationException();
            }

            @Override
            public MailboxInfo create(String name, Set<SpecialUse> specialUse) throws StoreException {
                if (folders.putIfAbsent(name, new Folder(name)) != null) {
                    throw new StoreException(StoreException.Reason.ALREADY_EXISTS, name);
                }
                return null;
            }

            @Override
            public void delete(String name) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void rename(String from, String to) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Mailbox mailbox(String name) throws StoreException {
                Folder f = folders.get(name.equalsIgnoreCase("INBOX") ? "INBOX" : name);
                if (f == null) {
                    throw new StoreException(StoreException.Reason.NOT_FOUND, name);
                }
                return f;
            }

            @Override
            public Set<String> subscriptions() {
                return Set.of();
            }

            @Override
            public void setSubscribed(String name, boolean subscribed) {
            }

            @Override
            public QuotaUsage quota() {
                throw new UnsupportedOperationException();
            }

            @Override
            public void close() {
            }
        };
    }

    final class Folder implements Mailbox {
        final String name;
        final List<Stored> messages = new java.util.concurrent.CopyOnWriteArrayList<>();
        long nextUid = 1;

        Folder(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public synchronized MailboxStatus status() {
            return new MailboxStatus(messages.size(), 0, 1, nextUid, 1, 0);
        }

        @Override
        public List<MessageInfo> messages() {
            List<MessageInfo> list = new ArrayList<>();
            for (Stored s : messages) {
                list.add(new MessageInfo(s.uid(), s.bytes().length, Instant.EPOCH, Flags.NONE, 1));
            }
            return list;
        }

        @Override
        public Optional<MessageInfo> message(long uid) {
            throw new UnsupportedOperationException();
        }

        @Override
        public MessageContent content(long uid) throws StoreException {
            for (Stored s : messages) {
                if (s.uid() == uid) {
                    return MessageContent.ofBytes(s.bytes());
                }
            }
            throw new StoreException(StoreException.Reason.NOT_FOUND, "uid " + uid);
        }

        @Override
        public MessageInfo append(MessageContent content, Flags flags, Optional<Instant> internalDate) throws StoreException {
            if (unavailable.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new StoreException(StoreException.Reason.UNAVAILABLE, "store is down");
            }
            if (overQuota) {
                throw new StoreException(StoreException.Reason.OVER_QUOTA, "quota exceeded");
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (InputStream in = content.openStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (out.size() != content.size()) {
                throw new AssertionError("content size " + content.size() + " but " + out.size() + " octets streamed");
            }
            long uid;
            synchronized (this) {
                uid = nextUid++;
                messages.add(new Stored(uid, out.toByteArray()));
            }
            appends.incrementAndGet();
            afterAppend.run();
            return new MessageInfo(uid, out.size(), Instant.now(), flags, 1);
        }

        @Override
        public FlagUpdate updateFlags(Collection<Long> uids, FlagChange change, Flags flags, OptionalLong unchangedSince) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<Long> expunge(Optional<Collection<Long>> uids) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CopyResult copyTo(Collection<Long> uids, String targetFolder) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CopyResult moveTo(Collection<Long> uids, String targetFolder) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<List<Long>> expungedSince(long modSeq) {
            return Optional.empty();
        }

        @Override
        public ListenerRegistration addListener(dev.postwerk.api.store.MailboxListener listener) {
            return () -> { };
        }
    }
}
