package dev.postwerk.store.maildir.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.postwerk.api.directory.Principal;
import dev.postwerk.api.directory.UserDirectory;
import dev.postwerk.api.mail.MessageParser;
import dev.postwerk.api.store.MailboxStore;
import dev.postwerk.api.store.StoreException;
import dev.postwerk.api.store.UserMailboxes;

/**
 * The default store: one Maildir++ tree per user under the data folder. Ranked above the
 * in-memory store so that it serves when both are installed.
 */
@Component(service = MailboxStore.class, configurationPid = MaildirStore.PID,
        property = { MailboxStore.NAME_PROPERTY + "=maildir", "service.ranking:Integer=100" })
@Designate(ocd = MaildirStoreConfig.class)
public class MaildirStore implements MailboxStore {

    static final String PID = "dev.postwerk.store.maildir";

    /** The last UIDVALIDITY given, beside the user trees. */
    static final String UIDVALIDITY_FILE = "postwerk-uidvalidity";
    private static final long UIDVALIDITY_BLOCK = 64;

    private static final Logger LOG = LoggerFactory.getLogger(MaildirStore.class);

    private final Map<String, MaildirUser> users = new HashMap<>();
    // Guarded by this.
    private long lastUidValidity;
    private long reservedUidValidity;
    private volatile MaildirSettings settings;
    private volatile boolean closed;

    @Activate
    public MaildirStore(MaildirStoreConfig config) {
        this(MaildirSettings.from(config));
    }

    MaildirStore(MaildirSettings settings) {
        this.settings = settings;
        LOG.info("Maildir store on {}", settings.root());
    }

    /** Quota limits and folder names apply at once; a new data folder applies to users opened from now on. */
    @Modified
    void modified(MaildirStoreConfig config) {
        MaildirSettings next = MaildirSettings.from(config);
        synchronized (users) {
            if (!next.root().equals(settings.root())) {
                LOG.info("Maildir store moves to {}", next.root());
                users.clear();
            }
            settings = next;
        }
        synchronized (this) {
            reservedUidValidity = 0; // read again, perhaps from a new data folder
        }
    }

    /**
     * Sessions still holding folders of this instance get UNAVAILABLE from now on: after a bundle
     * update a new instance serves the same trees, and two in-memory indexes of one folder could
     * give the same UID twice.
     */
    @Deactivate
    void deactivate() {
        closed = true;
        synchronized (users) {
            users.clear();
        }
        LOG.info("Maildir store on {} stopped", settings.root());
    }

    void ensureOpen() throws StoreException {
        if (closed) {
            throw new StoreException(StoreException.Reason.UNAVAILABLE, "the Maildir store was stopped");
        }
    }

    MaildirSettings settings() {
        return settings;
    }

    /** A user's quota limits: the directory's per-user setting, else the store's default. */
    record Limits(OptionalLong storage, OptionalLong messages) {
    }

    /**
     * The directory is optional and dynamic: when it is away (updated, stopped), the store's
     * defaults apply rather than failing deliveries.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile UserDirectory directory;

    Limits limits(String user) {
        MaildirSettings s = settings;
        UserDirectory d = directory;
        Optional<Principal> principal = d == null ? Optional.empty() : d.findUser(user);
        OptionalLong storage = principal.map(Principal::storageQuota).filter(OptionalLong::isPresent).orElse(s.storageLimit());
        OptionalLong messages = principal.map(Principal::messageQuota).filter(OptionalLong::isPresent).orElse(s.messageLimit());
        return new Limits(storage, messages);
    }

    /** For tests: the directory DS would inject. */
    void directory(UserDirectory d) {
        this.directory = d;
    }

    /**
     * Parses messages for {@code Mailbox.structure}; optional and dynamic (rule 2 of DESIGN.md):
     * while it is away, structures already cached are still served and others are UNAVAILABLE.
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

    @Override
    public UserMailboxes open(String user) throws StoreException {
        ensureOpen();
        // Sessions of one user share one state (folder caches, locks, listeners).
        synchronized (users) {
            MaildirUser state = users.get(user);
            if (state == null) {
                state = MaildirUser.open(this, user);
                users.put(user, state);
            }
            return state;
        }
    }

    /**
     * A fresh UIDVALIDITY: seconds since the epoch (as Dovecot and Courier use), but never one this
     * data folder gave before, so a folder made again at once, or indexed anew after damage, or
     * after a restart or a clock step back, still gets a new one (RFC 3501 §2.3.1.1). A file beside
     * the user trees reserves values in blocks, so making a user's six folders costs one fsync, not six;
     * after a restart the unused rest of a block is skipped, which is harmless.
     */
    synchronized long nextUidValidity() {
        Path file = settings.root().resolve(UIDVALIDITY_FILE);
        if (reservedUidValidity == 0) {
            try {
                reservedUidValidity = Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim());
                lastUidValidity = reservedUidValidity;
            } catch (NoSuchFileException e) {
                reservedUidValidity = -1; // nothing given yet
            } catch (IOException | NumberFormatException e) {
                LOG.warn("cannot read {}: {}", file, e.toString());
                reservedUidValidity = -1;
            }
        }
        long next = Math.max(lastUidValidity + 1, Instant.now().getEpochSecond());
        if (next > reservedUidValidity) {
            long reserve = next + UIDVALIDITY_BLOCK;
            try {
                Files.createDirectories(file.getParent());
                MaildirFiles.replaceAtomically(file, w -> w.write(reserve + "\n"));
                reservedUidValidity = reserve;
            } catch (IOException e) {
                // Still unique within this instance; only a restart right now could repeat a value.
                LOG.warn("cannot write {}: {}", file, e.toString());
            }
        }
        lastUidValidity = next;
        return next;
    }
}
