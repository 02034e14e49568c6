package dev.postwerk.store.memory.internal;

import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import dev.postwerk.api.mail.MessageParser;
import dev.postwerk.api.store.MailboxStore;
import dev.postwerk.api.store.StoreException;
import dev.postwerk.api.store.StoreException.Reason;
import dev.postwerk.api.store.UserMailboxes;

/**
 * Mail kept in memory, lost when the component stops: the reference implementation of the store
 * contract and a second store to prove that one can be swapped at run time. Its low ranking lets
 * any durable store win when both are present.
 */
@Component(service = MailboxStore.class, property = { MailboxStore.NAME_PROPERTY + "=memory",
        "service.ranking:Integer=-100" })
public class MemoryMailboxStore implements MailboxStore {

    private final ConcurrentMap<String, MemoryUser> users = new ConcurrentHashMap<>();
    private final AtomicLong lastUidValidity = new AtomicLong();
    private final OptionalLong storageLimit;
    private final OptionalLong messageLimit;

    /** Without quota limits; the constructor DS uses. */
    public MemoryMailboxStore() {
        this(OptionalLong.empty(), OptionalLong.empty());
    }

    /** With the same limits for every user (RFC 9208 STORAGE and MESSAGE). */
    public MemoryMailboxStore(OptionalLong storageLimit, OptionalLong messageLimit) {
        this.storageLimit = Objects.requireNonNull(storageLimit);
        this.messageLimit = Objects.requireNonNull(messageLimit);
    }

    @Override
    public UserMailboxes open(String user) throws StoreException {
        if (user.isBlank()) {
            throw new StoreException(Reason.INVALID_NAME, "empty user name");
        }
        // One shared state per user: every session sees the same folders and listeners.
        return users.computeIfAbsent(user, u -> new MemoryUser(u, this));
    }

    /**
     * Parses messages for {@code Mailbox.structure}; optional and dynamic (rule 2 of DESIGN.md):
     * while it is away, structures not yet parsed are UNAVAILABLE and everything else works.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MessageParser parser;

    MessageParser parser() {
        return parser;
    }

    /** For tests: the parser DS would bind, or none (null). */
    void parser(MessageParser p) {
        this.parser = p;
    }

    OptionalLong storageLimit() {
        return storageLimit;
    }

    OptionalLong messageLimit() {
        return messageLimit;
    }

    /**
     * A fresh UIDVALIDITY: seconds since the epoch as most servers use, but never the same twice
     * in this store, so a folder deleted and created again in the same second still gets a new
     * one (RFC 3501 §2.3.1.1).
     */
    long nextUidValidity() {
        long now = Instant.now().getEpochSecond();
        return lastUidValidity.updateAndGet(last -> Math.max(last + 1, now));
    }
}
