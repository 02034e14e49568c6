package dev.postwerk.smtp.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

import dev.postwerk.api.transport.ListenerConfig;
import dev.postwerk.api.transport.TlsMode;

/** A listener's configuration, checked and converted once. */
record SmtpSettings(String name, boolean submission, String hostname, ListenerConfig listener, Duration maxSession,
        long maxMessageSize, int maxRecipients, int maxErrors, int maxCommandLine, int maxAuthLine, int maxTextLine,
        int maxReceivedHeaders, boolean normalizeBareLineEnds, Networks trusted, boolean allowAuthWithoutTls,
        boolean vrfyEnabled, boolean etrnEnabled) {

    static SmtpSettings from(SmtpConfig c) {
        String role = c.role().trim().toLowerCase(Locale.ROOT);
        if (!role.equals("mx") && !role.equals("submission")) {
            throw new IllegalArgumentException("role must be mx or submission: " + c.role());
        }
        String bare = c.bareLineEnds().trim().toLowerCase(Locale.ROOT);
        if (!bare.equals("reject") && !bare.equals("normalize")) {
            throw new IllegalArgumentException("bareLineEnds must be reject or normalize: " + c.bareLineEnds());
        }
        int commandLine = Math.max(64, c.maxCommandLine());
        int authLine = Math.max(commandLine, c.maxAuthLine());
        ListenerConfig lc = ListenerConfig.of("smtp-" + c.name(), c.host(), c.port())
                .withTls(TlsMode.valueOf(c.tls().trim().toUpperCase(Locale.ROOT)))
                .withLimits(c.maxConnections(), c.maxConnectionsPerClient())
                .withIdleTimeout(Duration.ofSeconds(Math.max(1, c.idleTimeoutSeconds())))
                // the transport's limit is the longest line any state accepts; the session
                // holds ordinary commands to maxCommandLine itself
                .withMaxLineLength(authLine);
        if (!c.keystore().isBlank()) {
            lc = lc.withKeystore(Path.of(c.keystore()), c.keystorePassword());
        }
        return new SmtpSettings(c.name(), role.equals("submission"), hostname(c.hostname()), lc,
                Duration.ofSeconds(Math.max(1, c.maxSessionSeconds())), Math.max(1, c.maxMessageSize()),
                Math.max(1, c.maxRecipients()), Math.max(1, c.maxErrors()), commandLine, authLine,
                Math.max(0, c.maxTextLine()), Math.max(1, c.maxReceivedHeaders()), bare.equals("normalize"),
                Networks.parse(c.trustedNetworks()), c.allowAuthWithoutTls(),
                c.vrfy().trim().equalsIgnoreCase("enabled"), c.etrn());
    }

    private static String hostname(String configured) {
        if (!configured.isBlank()) {
            return configured.trim();
        }
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
