package dev.postwerk.sasl.internal;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import dev.postwerk.api.directory.AuthResult;
import dev.postwerk.api.directory.Principal;
import dev.postwerk.api.directory.Resolution;
import dev.postwerk.api.directory.ScramCredential;
import dev.postwerk.api.directory.UserDirectory;
import dev.postwerk.api.mail.MailAddress;

/** An in-memory directory with plaintext passwords, for mechanism tests only. */
final class FakeDirectory implements UserDirectory {

    record Account(Principal principal, String password, boolean disabled, Optional<ScramCredential> scram) {
    }

    private final Map<String, Account> accounts = new HashMap<>();

    FakeDirectory add(String name, String password) {
        return add(name, password, false, false);
    }

    FakeDirectory add(String name, String password, boolean master, boolean disabled) {
        accounts.put(name, new Account(new Principal(name, List.of(), master, OptionalLong.empty(), OptionalLong.empty()),
                password, disabled, Optional.empty()));
        return this;
    }

    FakeDirectory withScram(String name, byte[] salt, int iterations) throws Exception {
        Account a = accounts.get(name);
        PBEKeySpec spec = new PBEKeySpec(a.password().toCharArray(), salt, iterations, 256);
        byte[] salted = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        byte[] clientKey = hmac(salted, "Client Key");
        ScramCredential c = new ScramCredential("SHA-256", salt, iterations,
                MessageDigest.getInstance("SHA-256").digest(clientKey), hmac(salted, "Server Key"));
        accounts.put(name, new Account(a.principal(), a.password(), a.disabled(), Optional.of(c)));
        return this;
    }

    private static byte[] hmac(byte[] key, String text) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(text.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public Set<String> localDomains() {
        return Set.of();
    }

    @Override
    public boolean isLocalDomain(String domain) {
        return false;
    }

    @Override
    public Optional<Principal> findUser(String loginOrAddress) {
        return Optional.ofNullable(accounts.get(loginOrAddress)).map(Account::principal);
    }

    @Override
    public Resolution resolve(MailAddress recipient) {
        return Resolution.unknown();
    }

    @Override
    public AuthResult verifyPassword(String login, char[] password) {
        Account a = accounts.get(login);
        if (a == null || !Arrays.equals(a.password().toCharArray(), password)) {
            return AuthResult.failure(AuthResult.Outcome.INVALID_CREDENTIALS);
        }
        return a.disabled() ? AuthResult.failure(AuthResult.Outcome.DISABLED) : AuthResult.success(a.principal());
    }

    @Override
    public Optional<ScramCredential> scramCredential(String login, String hashName) {
        return Optional.ofNullable(accounts.get(login)).filter(a -> !a.disabled()).flatMap(Account::scram);
    }
}
