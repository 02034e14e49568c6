package dev.postwerk.pop3.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

import dev.postwerk.api.directory.AuthResult;
import dev.postwerk.api.directory.Principal;
import dev.postwerk.api.directory.Resolution;
import dev.postwerk.api.directory.ScramCredential;
import dev.postwerk.api.directory.UserDirectory;
import dev.postwerk.api.mail.MailAddress;

/** Users with plaintext passwords and SCRAM-SHA-256 keys derived from them; tests only. */
final class TestDirectory implements UserDirectory {

    private record Account(Principal principal, String password, ScramCredential scram) {
    }

    private final Map<String, Account> accounts = new ConcurrentHashMap<>();

    TestDirectory add(String name, String password) {
        try {
            byte[] salt = ("salt-of-" + name).getBytes(StandardCharsets.UTF_8);
            int iterations = 4096;
            byte[] salted = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256)).getEncoded();
            byte[] clientKey = hmac(salted, "Client Key");
            ScramCredential scram = new ScramCredential("SHA-256", salt, iterations,
                    MessageDigest.getInstance("SHA-256").digest(clientKey), hmac(salted, "Server Key"));
            accounts.put(name, new Account(new Principal(name, List.of(), false, OptionalLong.empty(),
                    OptionalLong.empty()), password, scram));
            return this;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] hmac(byte[] key, String text) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
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
        return AuthResult.success(a.principal());
    }

    @Override
    public Optional<ScramCredential> scramCredential(String login, String hashName) {
        return Optional.ofNullable(accounts.get(login)).filter(a -> hashName.equals("SHA-256")).map(Account::scram);
    }
}
