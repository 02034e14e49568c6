package dev.postwerk.api.directory;

import java.util.Optional;
import java.util.Set;

import dev.postwerk.api.mail.MailAddress;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Local domains, users and aliases, and the credential checks SASL mechanisms need. Registered
 * with a {@value #NAME_PROPERTY} property ({@code file}, later {@code ldap}). Implementations may
 * block (file or network I/O, slow password hashes): callers never call them on I/O threads,
 * except the lookups an implementation registered with {@value #NON_BLOCKING_PROPERTY}{@code =true}
 * promises to answer from memory.
 */
@ConsumerType
public interface UserDirectory {

    /** Service property naming the directory implementation. */
    String NAME_PROPERTY = "directory.name";

    /**
     * Service property: {@code true} when {@link #localDomains}, {@link #isLocalDomain} and
     * {@link #resolve} answer from memory and never block (a file directory held in memory; not
     * LDAP). The SMTP server then checks RCPT on its network I/O thread instead of handing each
     * one to a worker. Password checks are never called there, whatever this says.
     *
     * @since 1.2
     */
    String NON_BLOCKING_PROPERTY = "directory.nonblocking";

    /** The domains mail is delivered to locally, lower case. */
    Set<String> localDomains();

    /** True when {@code domain} (any case) is local. */
    boolean isLocalDomain(String domain);

    /** A user by login name or by one of their addresses. */
    Optional<Principal> findUser(String loginOrAddress);

    /**
     * Where mail to {@code recipient} goes: local users (with the plus-address detail), remote
     * addresses (aliases that point away), or nowhere ({@link Resolution#isUnknown()}).
     */
    Resolution resolve(MailAddress recipient);

    /**
     * Checks a plaintext password (PLAIN, LOGIN, IMAP LOGIN, POP3 USER/PASS). Slow by design
     * (salted slow hashes). Never log the password.
     */
    AuthResult verifyPassword(String login, char[] password);

    /**
     * Stored SCRAM keys (RFC 5802 §3) for {@code login} and the mechanism's hash (e.g.
     * {@code SHA-256}); empty when the directory keeps none for this user.
     */
    Optional<ScramCredential> scramCredential(String login, String hashName);
}
