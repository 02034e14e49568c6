package dev.postwerk.auth.file.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

import dev.postwerk.api.directory.AliasEntry;
import dev.postwerk.api.directory.AuthResult;
import dev.postwerk.api.directory.DirectoryAdmin;
import dev.postwerk.api.directory.DirectoryException;
import dev.postwerk.api.directory.DirectoryException.Reason;
import dev.postwerk.api.directory.Principal;
import dev.postwerk.api.directory.Resolution;
import dev.postwerk.api.directory.ScramCredential;
import dev.postwerk.api.directory.UserDirectory;
import dev.postwerk.api.directory.UserEntry;
import dev.postwerk.api.mail.MailAddress;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default directory: one file (by default {@code etc/postwerk-users.conf}, see
 * {@link DirectoryFile} for its syntax). It lives in {@code etc/} and not {@code data/} because
 * it is configuration an administrator edits and backs up with the rest of {@code etc/}, and
 * because {@code bin/karaf clean} wipes {@code data/}; its name does not end in {@code .cfg}, so
 * Felix FileInstall leaves it alone. Lookups notice hand edits within
 * {@code reload.check.interval}; shell edits go through {@link DirectoryFileStore#edit}.
 */
@Component(service = {UserDirectory.class, DirectoryAdmin.class}, configurationPid = "dev.postwerk.auth.file",
        property = {UserDirectory.NAME_PROPERTY + "=file", UserDirectory.NON_BLOCKING_PROPERTY + ":Boolean=true"})
@Designate(ocd = FileDirectoryConfig.class)
public class FileDirectory implements UserDirectory, DirectoryAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(FileDirectory.class);

    /** Everything configuration decides. */
    record Settings(Path file, AddressRules rules, HashSettings hashing, Duration reloadCheckInterval) {

        static Settings from(FileDirectoryConfig c) {
            Path p = Path.of(c.file());
            if (!p.isAbsolute()) {
                p = Path.of(System.getProperty("karaf.etc", "etc")).resolve(p);
            }
            PasswordScheme scheme = PasswordScheme.byName(c.password_scheme())
                    .orElseThrow(() -> new IllegalArgumentException("unknown password scheme " + c.password_scheme()));
            return new Settings(p, new AddressRules(c.case_insensitive_local_parts(), c.recipient_delimiter().strip()),
                    new HashSettings(scheme, c.argon2_memory(), c.argon2_iterations(), c.argon2_parallelism(),
                            c.bcrypt_cost(), c.scram_iterations()),
                    Duration.ofMillis(Math.max(0, c.reload_check_interval())));
        }
    }

    /** Carries a refusal out of an edit function. */
    private static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused(Reason reason, String message) {
            super(new DirectoryException(reason, message));
        }
    }

    private final Clock clock;
    private final SecureRandom random;
    private final Object reloadLock = new Object();

    private volatile Settings settings;
    private volatile DirectoryFileStore store;
    private volatile PasswordHasher hasher;
    private volatile String dummyHash;
    private volatile DirectoryIndex index;
    private volatile DirectoryFileStore.Stamp stamp;
    private volatile Instant nextCheck = Instant.MIN;
    /** A check of the file runs now (one at a time). */
    private final java.util.concurrent.atomic.AtomicBoolean checking = new java.util.concurrent.atomic.AtomicBoolean();

    public FileDirectory() {
        this(Clock.systemUTC(), new SecureRandom());
    }

    FileDirectory(Clock clock, SecureRandom random) {
        this.clock = clock;
        this.random = random;
    }

    @Activate
    @Modified
    void activate(FileDirectoryConfig config) throws IOException {
        configure(Settings.from(config));
    }

    void configure(Settings s) throws IOException {
        PasswordHasher h = new PasswordHasher(s.hashing(), random);
        // a hash to check unknown users against, so a wrong user name costs as long as a wrong password
        String dummy = h.hash("not a password".toCharArray());
        synchronized (reloadLock) {
            this.settings = s;
            this.hasher = h;
            this.dummyHash = dummy;
            this.store = new DirectoryFileStore(s.file());
            install(store.read());
            nextCheck = clock.instant().plus(s.reloadCheckInterval());
        }
        DirectoryIndex idx = index;
        LOG.info("File directory {}: {} domains, {} users, {} aliases", s.file(), idx.domains().size(),
                idx.users().size(), idx.aliases().size());
        if (idx.domains().isEmpty()) {
            LOG.info("No local domain yet: add one with 'mail:domain-add example.com' and a user with "
                    + "'mail:user-add postmaster@example.com' (or edit {})", s.file());
        }
    }

    private void install(DirectoryFileStore.Snapshot snapshot) {
        synchronized (reloadLock) {
            DirectoryIndex idx = new DirectoryIndex(snapshot.lines(), settings.rules());
            this.index = idx;
            this.stamp = snapshot.stamp();
            for (String problem : idx.problems()) {
                LOG.warn("{} {}", settings.file(), problem);
            }
        }
    }

    /**
     * The index in memory. At most once per check interval a lookup also starts a check of the
     * file on disk on a thread of its own, which installs a changed file for the lookups after
     * it: lookups never wait for the disk or for an edit's lock, so the SMTP server may resolve
     * recipients on its I/O thread ({@link UserDirectory#NON_BLOCKING_PROPERTY}).
     */
    DirectoryIndex current() {
        Instant now = clock.instant();
        if (!now.isBefore(nextCheck) && checking.compareAndSet(false, true)) {
            nextCheck = now.plus(settings.reloadCheckInterval());
            try {
                Thread t = new Thread(this::checkFile, "postwerk-directory-check");
                t.setDaemon(true);
                t.start();
            } catch (RuntimeException | OutOfMemoryError e) {
                checking.set(false);
                LOG.warn("Cannot check {} for changes: {}", settings.file(), e.toString());
            }
        }
        return index;
    }

    /** Tests: checks the file now, on the caller's thread. */
    void checkFileNow() {
        checking.set(true);
        checkFile();
    }

    private void checkFile() {
        try {
            synchronized (reloadLock) {
                if (!store.stamp().equals(stamp)) {
                    install(store.read());
                    LOG.info("Reloaded {}", settings.file());
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot reload {}, keeping the previous version: {}", settings.file(), e.toString());
        } finally {
            checking.set(false);
        }
    }

    // ---- UserDirectory

    @Override
    public Set<String> localDomains() {
        return current().domains();
    }

    @Override
    public boolean isLocalDomain(String domain) {
        return current().isLocalDomain(domain);
    }

    @Override
    public Optional<Principal> findUser(String loginOrAddress) {
        return current().findUser(loginOrAddress);
    }

    @Override
    public Resolution resolve(MailAddress recipient) {
        return current().resolve(recipient);
    }

    @Override
    public AuthResult verifyPassword(String login, char[] password) {
        try {
            return check(login, password);
        } catch (PasswordHasher.BusyException e) {
            LOG.debug("Login of {} refused for now: {}", login, e.getMessage());
            return AuthResult.failure(AuthResult.Outcome.UNAVAILABLE);
        }
    }

    private AuthResult check(String login, char[] password) {
        DirectoryIndex idx = current();
        PasswordHasher h = hasher;
        Optional<DirectoryFile.User> user = idx.user(login);
        if (user.isEmpty() || user.get().password().isEmpty()) {
            h.verify(dummyHash, password);
            return AuthResult.failure(AuthResult.Outcome.INVALID_CREDENTIALS);
        }
        DirectoryFile.User u = user.get();
        String stored = u.password().get();
        if (!h.verify(stored, password)) {
            if (PasswordScheme.of(stored).isEmpty()) {
                LOG.warn("User {} has a password in an unknown scheme and cannot log in", u.name());
            }
            return AuthResult.failure(AuthResult.Outcome.INVALID_CREDENTIALS);
        }
        // the password is right: only now may the answer reveal that the account is disabled
        if (u.disabled()) {
            return AuthResult.failure(AuthResult.Outcome.DISABLED);
        }
        if (h.needsRehash(stored) || u.scram().isEmpty()) {
            upgrade(idx, u, stored, password, h);
        }
        return AuthResult.success(idx.principal(u));
    }

    /** Re-hashes a legacy or outdated hash (and adds missing SCRAM keys) while the password is at hand. */
    private void upgrade(DirectoryIndex idx, DirectoryFile.User u, String stored, char[] password, PasswordHasher h) {
        String newHash = h.needsRehash(stored) ? h.hash(password) : stored;
        String scram = ScramKeys.format(ScramKeys.derive(password, random, h.settings().scramIterations()));
        String key = idx.rules().key(u.address());
        try {
            install(store.edit(lines -> replaceUser(lines, key, old ->
                    // only if nobody changed the password since we read it
                    old.password().equals(Optional.of(stored)) ? old.withPassword(newHash, Optional.of(scram)) : old)));
            LOG.info("Upgraded the stored password of {} to {}", u.name(), h.settings().scheme().schemeName());
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("Could not store the upgraded password hash of {}: {}", u.name(), e.toString());
        }
    }

    @Override
    public Optional<ScramCredential> scramCredential(String login, String hashName) {
        if (!ScramKeys.HASH.equalsIgnoreCase(hashName)) {
            return Optional.empty();
        }
        // a disabled user gets no keys, so SCRAM fails for it as for an unknown user
        return current().user(login).filter(u -> !u.disabled()).flatMap(DirectoryFile.User::scram)
                .flatMap(ScramKeys::parse);
    }

    // ---- DirectoryAdmin

    @Override
    public List<String> domains() {
        return List.copyOf(current().domains());
    }

    @Override
    public void addDomain(String domain) throws DirectoryException {
        String d = valid(() -> DirectoryFile.normalizeDomain(domain));
        edit(lines -> {
            if (fresh(lines).domains().contains(d)) {
                throw new Refused(Reason.ALREADY_EXISTS, "domain " + d + " exists already");
            }
            List<DirectoryFile.Line> out = new ArrayList<>(lines);
            out.add(DirectoryFile.Domain.of(d));
            return out;
        });
    }

    @Override
    public void removeDomain(String domain) throws DirectoryException {
        String d = valid(() -> DirectoryFile.normalizeDomain(domain));
        edit(lines -> {
            DirectoryIndex idx = fresh(lines);
            if (!idx.domains().contains(d)) {
                throw new Refused(Reason.NOT_FOUND, "no domain " + d);
            }
            long users = idx.users().stream().filter(u -> u.address().domain().equals(d)).count();
            long aliases = idx.aliases().stream().filter(a -> a.domain().equals(d)).count();
            if (users + aliases > 0) {
                throw new Refused(Reason.CONFLICT, "domain " + d + " still has " + users + " users and " + aliases
                        + " aliases");
            }
            return lines.stream().filter(l -> !(l instanceof DirectoryFile.Domain dl && dl.name().equals(d))).toList();
        });
    }

    @Override
    public List<UserEntry> users(Optional<String> domain) {
        Optional<String> d = domain.map(DirectoryFile::normalizeDomain);
        return current().users().stream().filter(u -> d.isEmpty() || u.address().domain().equals(d.get()))
                .map(FileDirectory::entry).toList();
    }

    @Override
    public Optional<UserEntry> user(String name) {
        return current().user(name).map(FileDirectory::entry);
    }

    private static UserEntry entry(DirectoryFile.User u) {
        String scheme = u.password().map(p -> PasswordScheme.of(p).map(PasswordScheme::schemeName).orElse("UNKNOWN"))
                .orElse("");
        return new UserEntry(u.name(), u.master(), u.disabled(), u.quota(), u.messages(), scheme);
    }

    @Override
    public void addUser(UserEntry user, char[] password) throws DirectoryException {
        MailAddress address = valid(() -> DirectoryFile.address(user.name()));
        requirePassword(password);
        PasswordHasher h = hasher;
        String hash = h.hash(password);
        String scram = ScramKeys.format(ScramKeys.derive(password, random, h.settings().scramIterations()));
        DirectoryFile.User line = DirectoryFile.User.of(address, Optional.of(hash), Optional.of(scram),
                user.storageQuota(), user.messageQuota(), user.master(), user.disabled());
        edit(lines -> {
            DirectoryIndex idx = fresh(lines);
            if (!idx.domains().contains(address.domain())) {
                throw new Refused(Reason.INVALID, "domain " + address.domain() + " is not local: add it first");
            }
            if (idx.user(address.toString()).isPresent()) {
                throw new Refused(Reason.ALREADY_EXISTS, "user " + address + " exists already");
            }
            if (idx.alias(address.toString()).isPresent()) {
                throw new Refused(Reason.ALREADY_EXISTS, "an alias " + address + " exists already");
            }
            return insert(lines, address.domain(), line);
        });
    }

    @Override
    public void updateUser(UserEntry user) throws DirectoryException {
        String key = userKey(user.name());
        edit(lines -> replaceUser(lines, key,
                u -> u.withSettings(user.master(), user.disabled(), user.storageQuota(), user.messageQuota())));
    }

    @Override
    public void setPassword(String name, char[] password) throws DirectoryException {
        String key = userKey(name);
        requirePassword(password);
        PasswordHasher h = hasher;
        String hash = h.hash(password);
        String scram = ScramKeys.format(ScramKeys.derive(password, random, h.settings().scramIterations()));
        edit(lines -> replaceUser(lines, key, u -> u.withPassword(hash, Optional.of(scram))));
    }

    @Override
    public void removeUser(String name) throws DirectoryException {
        String key = userKey(name);
        edit(lines -> {
            AddressRules rules = settings.rules();
            List<DirectoryFile.Line> out = lines.stream()
                    .filter(l -> !(l instanceof DirectoryFile.User u && rules.key(u.address()).equals(key))).toList();
            if (out.size() == lines.size()) {
                throw new Refused(Reason.NOT_FOUND, "no user " + name);
            }
            return out;
        });
    }

    @Override
    public List<AliasEntry> aliases(Optional<String> domain) {
        Optional<String> d = domain.map(DirectoryFile::normalizeDomain);
        return current().aliases().stream().filter(a -> d.isEmpty() || a.domain().equals(d.get()))
                .map(a -> new AliasEntry(a.source(), a.targets())).toList();
    }

    @Override
    public void addAlias(AliasEntry alias) throws DirectoryException {
        String source = valid(() -> DirectoryFile.source(alias.source()));
        for (MailAddress t : alias.targets()) {
            valid(() -> DirectoryFile.address(t.toString()));
        }
        edit(lines -> {
            DirectoryIndex idx = fresh(lines);
            String domain = source.substring(source.lastIndexOf('@') + 1);
            if (!idx.domains().contains(domain)) {
                throw new Refused(Reason.INVALID, "domain " + domain + " is not local: add it first");
            }
            if (!source.startsWith("@") && idx.user(source).isPresent()) {
                throw new Refused(Reason.ALREADY_EXISTS, "a user " + source + " exists already");
            }
            Optional<DirectoryFile.Alias> existing = idx.alias(source);
            if (existing.isEmpty()) {
                return insert(lines, domain, DirectoryFile.Alias.of(source, alias.targets()));
            }
            Set<MailAddress> targets = new LinkedHashSet<>(existing.get().targets());
            targets.addAll(alias.targets());
            DirectoryFile.Alias merged = DirectoryFile.Alias.of(existing.get().source(), new ArrayList<>(targets));
            return lines.stream().map(l -> l == existing.get() ? merged : l).toList();
        });
    }

    @Override
    public void removeAlias(String source, List<MailAddress> targets) throws DirectoryException {
        String s = valid(() -> DirectoryFile.source(source));
        edit(lines -> {
            Optional<DirectoryFile.Alias> existing = fresh(lines).alias(s);
            if (existing.isEmpty()) {
                throw new Refused(Reason.NOT_FOUND, "no alias " + s);
            }
            DirectoryFile.Alias a = existing.get();
            List<MailAddress> remaining = a.targets().stream().filter(t -> !targets.contains(t)).toList();
            if (!targets.isEmpty() && remaining.size() == a.targets().size()) {
                throw new Refused(Reason.NOT_FOUND, "alias " + s + " has none of these targets");
            }
            List<DirectoryFile.Line> out = new ArrayList<>();
            for (DirectoryFile.Line l : lines) {
                if (l != a) {
                    out.add(l);
                } else if (!targets.isEmpty() && !remaining.isEmpty()) {
                    out.add(DirectoryFile.Alias.of(a.source(), remaining));
                }
            }
            return out;
        });
    }

    // ---- helpers

    private DirectoryIndex fresh(List<DirectoryFile.Line> lines) {
        return new DirectoryIndex(lines, settings.rules());
    }

    private void edit(UnaryOperator<List<DirectoryFile.Line>> change) throws DirectoryException {
        try {
            install(store.edit(change));
        } catch (Refused r) {
            throw (DirectoryException) r.getCause();
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("Cannot write {}: {}", settings.file(), e.toString());
            throw new DirectoryException(Reason.UNAVAILABLE, "cannot write " + settings.file() + ": " + e.getMessage(), e);
        }
    }

    private List<DirectoryFile.Line> replaceUser(List<DirectoryFile.Line> lines, String key,
            UnaryOperator<DirectoryFile.User> change) {
        AddressRules rules = settings.rules();
        boolean found = false;
        List<DirectoryFile.Line> out = new ArrayList<>(lines.size());
        for (DirectoryFile.Line l : lines) {
            if (!found && l instanceof DirectoryFile.User u && rules.key(u.address()).equals(key)) {
                found = true;
                out.add(change.apply(u));
            } else {
                out.add(l);
            }
        }
        if (!found) {
            throw new Refused(Reason.NOT_FOUND, "no user " + key);
        }
        return out;
    }

    /** Inserts after the last entry of the same domain, so the file stays grouped by domain. */
    private static List<DirectoryFile.Line> insert(List<DirectoryFile.Line> lines, String domain, DirectoryFile.Line line) {
        int at = lines.size();
        for (int i = lines.size() - 1; i >= 0; i--) {
            DirectoryFile.Line l = lines.get(i);
            if ((l instanceof DirectoryFile.Domain d && d.name().equals(domain))
                    || (l instanceof DirectoryFile.User u && u.address().domain().equals(domain))
                    || (l instanceof DirectoryFile.Alias a && a.domain().equals(domain))) {
                at = i + 1;
                break;
            }
        }
        List<DirectoryFile.Line> out = new ArrayList<>(lines);
        out.add(at, line);
        return out;
    }

    private String userKey(String name) throws DirectoryException {
        return settings.rules().key(valid(() -> DirectoryFile.address(name)));
    }

    private static void requirePassword(char[] password) throws DirectoryException {
        if (password.length == 0) {
            throw new DirectoryException(Reason.INVALID, "empty password");
        }
    }

    private interface Parse<T> {
        T get();
    }

    private static <T> T valid(Parse<T> parse) throws DirectoryException {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw new DirectoryException(Reason.INVALID, e.getMessage().toLowerCase(Locale.ROOT).startsWith("invalid")
                    ? e.getMessage() : "invalid: " + e.getMessage(), e);
        }
    }
}
