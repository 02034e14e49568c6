package dev.postwerk.api.mail;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a message came from: the SMTP client as the server saw it. Used in the {@code Received:}
 * trace header, by filters, and in bounces.
 *
 * @param sessionId the server's id of the SMTP session (also in logs)
 * @param listener the listener that accepted it (e.g. {@code mx}, {@code submission})
 * @param client the client's address and port
 * @param heloName the EHLO/HELO argument; empty before the client said one
 * @param authIdentity the SASL authorization identity; empty when not authenticated
 * @param tls the TLS protocol and cipher (e.g. {@code TLSv1.3 TLS_AES_128_GCM_SHA256}); empty in plaintext
 */
public record Origin(String sessionId, String listener, InetSocketAddress client, Optional<String> heloName,
        Optional<String> authIdentity, Optional<String> tls) {

    public Origin {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(heloName, "heloName");
        Objects.requireNonNull(authIdentity, "authIdentity");
        Objects.requireNonNull(tls, "tls");
    }

    /** True when the session was encrypted. */
    public boolean secure() {
        return tls.isPresent();
    }

    public Origin withHeloName(String name) {
        return new Origin(sessionId, listener, client, Optional.of(name), authIdentity, tls);
    }

    public Origin withAuthIdentity(String identity) {
        return new Origin(sessionId, listener, client, heloName, Optional.of(identity), tls);
    }

    public Origin withTls(String description) {
        return new Origin(sessionId, listener, client, heloName, authIdentity, Optional.of(description));
    }
}
