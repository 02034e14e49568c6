package dev.postwerk.api.sasl;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The service protocols authenticate through, so none hard-codes a mechanism. It applies the
 * connection's TLS policy, the authorization-identity rules and the {@link AuthGuard}.
 */
@ProviderType
public interface SaslAuthenticator {

    /** Mechanisms to advertise on this connection, in order of preference (SMTP EHLO AUTH, IMAP CAPABILITY). */
    List<String> mechanisms(SaslContext context);

    /**
     * A new exchange for {@code mechanism} (any case). An unknown or refused mechanism gives an
     * exchange whose {@link SaslExchange#start} answers the matching {@link SaslResult.Failure}.
     */
    SaslExchange exchange(String mechanism, SaslContext context);

    /**
     * A plaintext login outside SASL (IMAP LOGIN, POP3 USER/PASS), under the same TLS policy and
     * guard as PLAIN. Blocks for the password hash. Never logs the password.
     */
    SaslResult login(SaslContext context, String login, char[] password);
}
