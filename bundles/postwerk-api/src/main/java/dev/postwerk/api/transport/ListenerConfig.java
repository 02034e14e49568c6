package dev.postwerk.api.transport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a listener needs: where to bind, TLS, and its limits. Build one with {@link #of} and the
 * {@code with...} methods.
 *
 * @param name a name for logs and metrics, e.g. {@code smtp-mx}
 * @param host the address to bind ({@code 0.0.0.0}, {@code ::}, {@code 127.0.0.1}, a host name)
 * @param port the port; 0 picks a free one (tests)
 * @param tlsMode none, STARTTLS or implicit TLS
 * @param keystore a PKCS#12 (or JKS) key store with the server's key and certificate; empty
 *        uses the transport's default (a generated self-signed certificate unless configured)
 * @param keystorePassword the key store's password (also used for the key)
 * @param maxConnections open connections allowed at once on this listener
 * @param maxConnectionsPerClient open connections allowed at once from one client address
 * @param idleTimeout a connection silent for this long is told {@link ProtocolSession#idleTimeout()} and closed
 * @param maxLineLength octets allowed in one line, line end included; longer lines are discarded
 *        and reported with {@link ProtocolSession#lineTooLong(long)}
 */
public record ListenerConfig(String name, String host, int port, TlsMode tlsMode, Optional<Path> keystore,
        String keystorePassword, int maxConnections, int maxConnectionsPerClient, Duration idleTimeout,
        int maxLineLength) {

    public ListenerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        Objects.requireNonNull(tlsMode, "tlsMode");
        Objects.requireNonNull(keystore, "keystore");
        Objects.requireNonNull(keystorePassword, "keystorePassword");
        if (maxConnections < 1 || maxConnectionsPerClient < 1) {
            throw new IllegalArgumentException("connection limits must be at least 1");
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idle timeout must be positive");
        }
        if (maxLineLength < 16) {
            throw new IllegalArgumentException("max line length must be at least 16 octets");
        }
    }

    /** A plaintext listener with generous defaults: 1000 connections, 20 per client, 5 minutes idle, 8 KiB lines. */
    public static ListenerConfig of(String name, String host, int port) {
        return new ListenerConfig(name, host, port, TlsMode.NONE, Optional.empty(), "", 1000, 20,
                Duration.ofMinutes(5), 8192);
    }

    public ListenerConfig withTls(TlsMode mode) {
        return new ListenerConfig(name, host, port, mode, keystore, keystorePassword, maxConnections,
                maxConnectionsPerClient, idleTimeout, maxLineLength);
    }

    public ListenerConfig withKeystore(Path path, String password) {
        return new ListenerConfig(name, host, port, tlsMode, Optional.of(path), password, maxConnections,
                maxConnectionsPerClient, idleTimeout, maxLineLength);
    }

    public ListenerConfig withLimits(int connections, int perClient) {
        return new ListenerConfig(name, host, port, tlsMode, keystore, keystorePassword, connections, perClient,
                idleTimeout, maxLineLength);
    }

    public ListenerConfig withIdleTimeout(Duration timeout) {
        return new ListenerConfig(name, host, port, tlsMode, keystore, keystorePassword, maxConnections,
                maxConnectionsPerClient, timeout, maxLineLength);
    }

    public ListenerConfig withMaxLineLength(int octets) {
        return new ListenerConfig(name, host, port, tlsMode, keystore, keystorePassword, maxConnections,
                maxConnectionsPerClient, idleTimeout, octets);
    }

    /** The password is never printed. */
    @Override
    public String toString() {
        return "ListenerConfig[" + name + " " + host + ":" + port + " tls=" + tlsMode + " keystore="
                + keystore.map(Path::toString).orElse("default") + " maxConnections=" + maxConnections
                + " perClient=" + maxConnectionsPerClient + " idle=" + idleTimeout + " maxLine=" + maxLineLength + "]";
    }
}
