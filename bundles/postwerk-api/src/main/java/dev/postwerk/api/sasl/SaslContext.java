package dev.postwerk.api.sasl;

import java.net.InetAddress;
import java.util.Objects;

/**
 * The connection an authentication runs on, as far as SASL policy cares.
 *
 * @param client the client's address (brute-force accounting)
 * @param secure true when TLS is active on the connection
 * @param plaintextAllowed the listener's policy: true lets PLAIN and LOGIN run without TLS
 *        (meant for localhost testing; RFC 4954 §4 and RFC 8314 want TLS first)
 * @param serverName the host name the server calls itself (challenges that name the server)
 */
public record SaslContext(InetAddress client, boolean secure, boolean plaintextAllowed, String serverName) {

    public SaslContext {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(serverName, "serverName");
    }

    /** A context with the listener's default policy: plaintext mechanisms only under TLS. */
    public static SaslContext of(InetAddress client, boolean secure, String serverName) {
        return new SaslContext(client, secure, false, serverName);
    }

    /** True when mechanisms that send the password in the clear may run here. */
    public boolean plaintextPermitted() {
        return secure || plaintextAllowed;
    }
}
