package dev.postwerk.queue.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.postwerk.api.directory.AuthResult;
import dev.postwerk.api.directory.Principal;
import dev.postwerk.api.directory.Resolution;
import dev.postwerk.api.directory.ScramCredential;
import dev.postwerk.api.directory.UserDirectory;
import dev.postwerk.api.mail.MailAddress;

/** Users of example.com, and aliases (local or remote targets). */
final class FakeDirectory implements UserDirectory {

    final Set<String> users = ConcurrentHashMap.newKeySet();
    final Map<String, List<String>> aliases = new ConcurrentHashMap<>();

    FakeDirectory(String... users) {
        this.users.addAll(List.of(users));
    }

    @Override
    public Set<String> localDomains() {
        return Set.of("example.com");
    }

    @Override
    public boolean isLocalDomain(String domain) {
        return domain.equalsIgnoreCase("example.com");
    }

    @Override
    public Optional<Principal> findUser(String loginOrAddress) {
        return users.contains(loginOrAddress) ? Optional.of(principal(loginOrAddress)) : Optional.empty();
    }

    private static Principal principal(String name) {
        return new Principal(name, List.of(MailAddress.parse(name)), false, OptionalLong.empty(), OptionalLong.empty());
    }

    @Override
    public Resolution resolve(MailAddress recipient) {
        String key = recipient.toString();
        if (users.contains(key)) {
            return new Resolution(List.of(new Resolution.LocalTarget(principal(key), Optional.empty())), List.of());
        }
        List<String> targets = aliases.get(key);
        if (targets == null) {
            return Resolution.unknown();
        }
        List<Resolution.LocalTarget> local = new ArrayList<>();
        List<MailAddress> remote = new ArrayList<>();
        for (String t : targets) {
            if (users.contains(t)) {
                local.add(new Resolution.LocalTarget(principal(t), Optional.empty()));
            } else {
                remote.add(MailAddress.parse(t));
            }
        }
        return new Resolution(local, remote);
    }

    @Override
    public AuthResult verifyPassword(String login, char[] password) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Optional<ScramCredential> scramCredential(String login, String hashName) {
        return Optional.empty();
    }
}
