package dev.postwerk.pop3.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

import dev.postwerk.api.transport.ListenerConfig;
import dev.postwerk.api.transport.TlsMode;

/**
 * A listener's configuration as values, read once per configuration change; sessions keep the
 * settings they started with.
 *
 * @param listener what the transport binds
 * @param maxErrors client errors before the session is closed
 * @param plaintextAllowed USER/PASS and PLAIN/LOGIN without TLS
 * @param expireDays CAPA EXPIRE in days; empty for NEVER
 * @param loginDelay minimum time between logins of one user; zero for none
 * @param implementation CAPA IMPLEMENTATION text; empty for none
 * @param serverName the name SASL mechanisms get; empty for the connection's local address
 */
record Pop3Settings(ListenerConfig listener, int maxErrors, boolean plaintextAllowed, OptionalInt expireDays,
        Duration loginDelay, String implementation, String serverName) {

    static Pop3Settings from(Pop3Config c) {
        ListenerConfig lc = ListenerConfig.of(c.name(), c.host(), c.port())
                .withTls(TlsMode.valueOf(c.tls().trim().toUpperCase(Locale.ROOT)))
                .withLimits(c.maxConnections(), c.maxConnectionsPerClient())
                .withIdleTimeout(Duration.ofSeconds(Math.max(1, c.idleTimeoutSeconds())))
                .withMaxLineLength(c.maxLineLength());
        Optional<Path> keystore = c.keystore().isBlank() ? Optional.empty() : Optional.of(Path.of(c.keystore().trim()));
        ListenerConfig listener = keystore.map(k -> lc.withKeystore(k, c.keystorePassword())).orElse(lc);
        return new Pop3Settings(listener, Math.max(1, c.maxErrors()), c.allowPlaintextWithoutTls(), expire(c.expire()),
                Duration.ofSeconds(Math.max(0, c.loginDelaySeconds())), printable(c.implementation()),
                printable(c.serverName()));
    }

    /** NEVER or a number of days (RFC 2449 §6.7); anything else is a configuration error. */
    static OptionalInt expire(String value) {
        String v = value.trim();
        if (v.isEmpty() || v.equalsIgnoreCase("NEVER")) {
            return OptionalInt.empty();
        }
        try {
            int days = Integer.parseInt(v);
            if (days >= 0) {
                return OptionalInt.of(days);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("expire must be NEVER or a number of days, not '" + value + "'");
    }

    /** CAPA lines are ASCII without controls (RFC 2449 §5); anything else would break the listing. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char ch : s.trim().toCharArray()) {
            if (ch >= 0x20 && ch < 0x7f) {
                b.append(ch);
            }
        }
        return b.toString();
    }

    /** True when CAPA EXPIRE 0 applies: retrieved messages go at QUIT. */
    boolean deletesRetrieved() {
        return expireDays.isPresent() && expireDays.getAsInt() == 0;
    }
}
