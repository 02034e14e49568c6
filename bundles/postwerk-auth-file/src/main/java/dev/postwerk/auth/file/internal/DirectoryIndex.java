package dev.postwerk.auth.file.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import dev.postwerk.api.directory.Principal;
import dev.postwerk.api.directory.Resolution;
import dev.postwerk.api.mail.InvalidAddressException;
import dev.postwerk.api.mail.MailAddress;

/** An immutable, indexed view of one version of the directory file. */
final class DirectoryIndex {

    /** Aliases may point to aliases; past this depth the chain is cut (and logged), as Postfix does. */
    static final int MAX_ALIAS_DEPTH = 10;

    private final List<DirectoryFile.Line> lines;
    private final AddressRules rules;
    private final Set<String> domains;
    private final Map<String, DirectoryFile.User> users = new HashMap<>();
    private final Map<String, DirectoryFile.Alias> aliases = new HashMap<>();
    private final Map<String, List<MailAddress>> aliasAddressesOfUser = new HashMap<>();
    private final List<String> problems = new ArrayList<>();

    DirectoryIndex(List<DirectoryFile.Line> lines, AddressRules rules) {
        this.lines = List.copyOf(lines);
        this.rules = rules;
        Set<String> d = new TreeSet<>();
        for (DirectoryFile.Line l : lines) {
            if (l instanceof DirectoryFile.Domain domain) {
                d.add(domain.name());
            }
        }
        this.domains = Collections.unmodifiableSet(d);
        int n = 0;
        for (DirectoryFile.Line l : lines) {
            n++;
            if (l instanceof DirectoryFile.Invalid invalid) {
                problems.add("line " + n + ": " + invalid.error());
            } else if (l instanceof DirectoryFile.User u) {
                if (!domains.contains(u.address().domain())) {
                    problems.add("line " + n + ": user " + u.name() + " of an undeclared domain is ignored");
                } else if (users.putIfAbsent(rules.key(u.address()), u) != null) {
                    problems.add("line " + n + ": duplicate user " + u.name() + " is ignored");
                }
            } else if (l instanceof DirectoryFile.Alias a) {
                String key = aliasKey(a.source());
                if (!domains.contains(a.domain())) {
                    problems.add("line " + n + ": alias " + a.source() + " of an undeclared domain is ignored");
                } else if (aliases.putIfAbsent(key, a) != null) {
                    problems.add("line " + n + ": duplicate alias " + a.source() + " is ignored");
                }
            }
        }
        for (DirectoryFile.Alias a : aliases()) {
            if (a.isCatchAll()) {
                continue;
            }
            for (MailAddress t : a.targets()) {
                DirectoryFile.User u = users.get(rules.key(t));
                if (u != null) {
                    aliasAddressesOfUser.computeIfAbsent(rules.key(u.address()), k -> new ArrayList<>())
                            .add(DirectoryFile.address(a.source()));
                }
            }
        }
    }

    List<DirectoryFile.Line> lines() {
        return lines;
    }

    AddressRules rules() {
        return rules;
    }

    /** Lines that could not be used, with their line numbers, for the log. */
    List<String> problems() {
        return Collections.unmodifiableList(problems);
    }

    Set<String> domains() {
        return domains;
    }

    boolean isLocalDomain(String domain) {
        try {
            return domains.contains(DirectoryFile.normalizeDomain(domain));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A user by login name ({@code local@domain}, case rules applied). */
    Optional<DirectoryFile.User> user(String login) {
        try {
            return Optional.ofNullable(users.get(rules.key(MailAddress.parse(login.strip()))));
        } catch (InvalidAddressException e) {
            return Optional.empty();
        }
    }

    Optional<DirectoryFile.Alias> alias(String source) {
        try {
            return Optional.ofNullable(aliases.get(aliasKey(DirectoryFile.source(source))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    List<DirectoryFile.User> users() {
        return users.values().stream().sorted((a, b) -> a.name().compareTo(b.name())).toList();
    }

    List<DirectoryFile.Alias> aliases() {
        return aliases.values().stream().sorted((a, b) -> a.source().compareTo(b.source())).toList();
    }

    /** A user by login, or by an alias that leads to exactly one local user. */
    Optional<Principal> findUser(String loginOrAddress) {
        Optional<DirectoryFile.User> direct = user(loginOrAddress);
        if (direct.isPresent()) {
            return direct.map(this::principal);
        }
        Optional<DirectoryFile.Alias> alias = alias(loginOrAddress);
        if (alias.isEmpty() || alias.get().isCatchAll()) {
            return Optional.empty();
        }
        Resolution r = resolve(DirectoryFile.address(alias.get().source()));
        return r.remote().isEmpty() && r.local().size() == 1 ? Optional.of(r.local().get(0).user()) : Optional.empty();
    }

    Principal principal(DirectoryFile.User u) {
        List<MailAddress> addresses = new ArrayList<>();
        addresses.add(u.address());
        addresses.addAll(aliasAddressesOfUser.getOrDefault(rules.key(u.address()), List.of()));
        return new Principal(u.name(), addresses, u.master(), u.quota(), u.messages());
    }

    /**
     * Exact user, exact alias, then the same without the plus-address detail, then the domain's
     * catch-all; aliases expand recursively, each address once.
     */
    Resolution resolve(MailAddress recipient) {
        if (!domains.contains(recipient.domain())) {
            return Resolution.unknown();
        }
        Map<String, Resolution.LocalTarget> local = new LinkedHashMap<>();
        Set<MailAddress> remote = new LinkedHashSet<>();
        expand(recipient, Optional.empty(), 0, new HashSet<>(), local, remote);
        if (local.isEmpty() && remote.isEmpty()) {
            return Resolution.unknown();
        }
        return new Resolution(new ArrayList<>(local.values()), new ArrayList<>(remote));
    }

    private void expand(MailAddress address, Optional<String> detail, int depth, Set<String> seen,
            Map<String, Resolution.LocalTarget> local, Set<MailAddress> remote) {
        if (depth > MAX_ALIAS_DEPTH || !seen.add(rules.key(address))) {
            return;
        }
        if (matchExact(address, detail, depth, seen, local, remote)) {
            return;
        }
        String delimiter = rules.delimiter();
        int at = delimiter.isEmpty() ? -1 : address.localPart().indexOf(delimiter);
        if (at > 0) {
            MailAddress base = MailAddress.of(address.localPart().substring(0, at), address.domain());
            Optional<String> tag = Optional.of(address.localPart().substring(at + delimiter.length()));
            if (seen.add(rules.key(base)) && matchExact(base, detail.or(() -> tag), depth, seen, local, remote)) {
                return;
            }
        }
        DirectoryFile.Alias catchAll = aliases.get("@" + address.domain());
        if (catchAll != null && seen.add("@" + address.domain())) {
            expandTargets(catchAll, detail, depth, seen, local, remote);
        }
    }

    private boolean matchExact(MailAddress address, Optional<String> detail, int depth, Set<String> seen,
            Map<String, Resolution.LocalTarget> local, Set<MailAddress> remote) {
        String key = rules.key(address);
        DirectoryFile.User u = users.get(key);
        if (u != null) {
            local.putIfAbsent(rules.key(u.address()), new Resolution.LocalTarget(principal(u), detail));
            return true;
        }
        DirectoryFile.Alias a = aliases.get(key);
        if (a != null) {
            expandTargets(a, detail, depth, seen, local, remote);
            return true;
        }
        return false;
    }

    private void expandTargets(DirectoryFile.Alias alias, Optional<String> detail, int depth, Set<String> seen,
            Map<String, Resolution.LocalTarget> local, Set<MailAddress> remote) {
        for (MailAddress target : alias.targets()) {
            if (domains.contains(target.domain())) {
                expand(target, detail, depth + 1, seen, local, remote);
            } else {
                remote.add(target);
            }
        }
    }

    private String aliasKey(String source) {
        if (source.startsWith("@")) {
            return source;
        }
        return rules.key(DirectoryFile.address(source));
    }
}
