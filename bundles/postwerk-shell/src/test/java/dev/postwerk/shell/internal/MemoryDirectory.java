package dev.postwerk.shell.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

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

/** A small in-memory directory for the command tests. */
final class MemoryDirectory implements DirectoryAdmin, UserDirectory {

    final Set<String> domains = new TreeSet<>();
    final TreeMap<String, UserEntry> users = new TreeMap<>();
    final TreeMap<String, char[]> passwords = new TreeMap<>();
    final TreeMap<String, AliasEntry> aliases = new TreeMap<>();

    private static String domainOf(String address) {
        return address.substring(address.lastIndexOf('@') + 1);
    }

    @Override
    public List<String> domains() {
        return List.copyOf(domains);
    }

    @Override
    public void addDomain(String domain) throws DirectoryException {
        if (!domains.add(domain)) {
            throw new DirectoryException(Reason.ALREADY_EXISTS, "domain " + domain + " exists already");
        }
    }

    @Override
    public void removeDomain(String domain) throws DirectoryException {
        if (users.keySet().stream().anyMatch(u -> domainOf(u).equals(domain))) {
            throw new DirectoryException(Reason.CONFLICT, "domain " + domain + " still has users");
        }
        if (!domains.remove(domain)) {
            throw new DirectoryException(Reason.NOT_FOUND, "no domain " + domain);
        }
    }

    @Override
    public List<UserEntry> users(Optional<String> domain) {
        return users.values().stream().filter(u -> domain.isEmpty() || domainOf(u.name()).equals(domain.get())).toList();
    }

    @Override
    public Optional<UserEntry> user(String name) {
        return Optional.ofNullable(users.get(name));
    }

    @Override
    public void addUser(UserEntry user, char[] password) throws DirectoryException {
        if (!domains.contains(domainOf(user.name()))) {
            throw new DirectoryException(Reason.INVALID, "domain " + domainOf(user.name()) + " is not local");
        }
        if (users.containsKey(user.name())) {
            throw new DirectoryException(Reason.ALREADY_EXISTS, "user exists");
        }
        users.put(user.name(), new UserEntry(user.name(), user.master(), user.disabled(), user.storageQuota(),
                user.messageQuota(), "ARGON2ID"));
        passwords.put(user.name(), password.clone());
    }

    @Override
    public void updateUser(UserEntry user) throws DirectoryException {
        users.put(user.name(), user);
    }

    @Override
    public void setPassword(String name, char[] password) throws DirectoryException {
        if (!users.containsKey(name)) {
            throw new DirectoryException(Reason.NOT_FOUND, "no user " + name);
        }
        passwords.put(name, password.clone());
    }

    @Override
    public void removeUser(String name) throws DirectoryException {
        if (users.remove(name) == null) {
            throw new DirectoryException(Reason.NOT_FOUND, "no user " + name);
        }
    }

    @Override
    public List<AliasEntry> aliases(Optional<String> domain) {
        return aliases.values().stream().filter(a -> domain.isEmpty() || domainOf(a.source()).equals(domain.get())).toList();
    }

    @Override
    public void addAlias(AliasEntry alias) throws DirectoryException {
        Set<MailAddress> t = new LinkedHashSet<>();
        if (aliases.containsKey(alias.source())) {
            t.addAll(aliases.get(alias.source()).targets());
        }
        t.addAll(alias.targets());
        aliases.put(alias.source(), new AliasEntry(alias.source(), new ArrayList<>(t)));
    }

    @Override
    public void removeAlias(String source, List<MailAddress> targets) throws DirectoryException {
        AliasEntry a = aliases.get(source);
        if (a == null) {
            throw new DirectoryException(Reason.NOT_FOUND, "no alias " + source);
        }
        List<MailAddress> rest = a.targets().stream().filter(t -> !targets.contains(t)).toList();
        if (targets.isEmpty() || rest.isEmpty()) {
            aliases.remove(source);
        } else {
            aliases.put(source, new AliasEntry(source, rest));
        }
    }

    @Override
    public Set<String> localDomains() {
        return domains;
    }

    @Override
    public boolean isLocalDomain(String domain) {
        return domains.contains(domain);
    }

    @Override
    public Optional<Principal> findUser(String loginOrAddress) {
        return user(loginOrAddress).map(u -> new Principal(u.name(), List.of(MailAddress.parse(u.name())), u.master(),
                u.storageQuota(), u.messageQuota()));
    }

    @Override
    public Resolution resolve(MailAddress recipient) {
        return Resolution.unknown();
    }

    @Override
    public AuthResult verifyPassword(String login, char[] password) {
        char[] stored = passwords.get(login);
        if (stored == null || !Arrays.equals(stored, password)) {
            return AuthResult.failure(AuthResult.Outcome.INVALID_CREDENTIALS);
        }
        return AuthResult.success(findUser(login).orElseThrow());
    }

    @Override
    public Optional<ScramCredential> scramCredential(String login, String hashName) {
        return Optional.empty();
    }
}
