package dev.postwerk.transport.internal.probe;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

import dev.postwerk.api.transport.Connection;
import dev.postwerk.api.transport.Listener;
import dev.postwerk.api.transport.ListenerConfig;
import dev.postwerk.api.transport.ListenerFactory;
import dev.postwerk.api.transport.NonBlockingProtocolHandler;
import dev.postwerk.api.transport.ProtocolHandler;
import dev.postwerk.api.transport.ProtocolSession;
import dev.postwerk.api.transport.Refusal;
import dev.postwerk.api.transport.TlsMode;

/**
 * The transport probe listener: one per factory configuration {@code dev.postwerk.transport.probe~NAME}.
 * A changed configuration binds the new address first, then closes the old listener.
 */
@Component(configurationPid = ProbeServer.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = ProbeConfig.class, factory = true)
public final class ProbeServer implements ProtocolHandler {

    public static final String PID = "dev.postwerk.transport.probe";

    private final ListenerFactory factory;
    private volatile ProbeConfig config;
    private Listener listener;

    @Activate
    public ProbeServer(@Reference ListenerFactory factory, ProbeConfig config) throws IOException {
        this.factory = factory;
        this.config = config;
        this.listener = factory.bind(listenerConfig(config), handler(config));
    }

    @Modified
    synchronized void modified(ProbeConfig newConfig) throws IOException {
        ListenerConfig wanted = listenerConfig(newConfig);
        boolean modeChanged = newConfig.nonBlocking() != config.nonBlocking();
        this.config = newConfig;
        if (!wanted.equals(listener.config()) || modeChanged) {
            Listener old = listener;
            listener = factory.bind(wanted, handler(newConfig));
            old.close();
        }
    }

    @Deactivate
    synchronized void deactivate() {
        listener.close();
    }

    /** The bound listener (tests read the real port). */
    synchronized Listener listener() {
        return listener;
    }

    static ListenerConfig listenerConfig(ProbeConfig c) {
        ListenerConfig lc = ListenerConfig.of(c.name(), c.host(), c.port())
                .withTls(TlsMode.valueOf(c.tls().trim().toUpperCase(Locale.ROOT)))
                .withLimits(c.maxConnections(), c.maxConnectionsPerClient())
                .withIdleTimeout(Duration.ofSeconds(c.idleTimeoutSeconds()))
                .withMaxLineLength(c.maxLineLength());
        Optional<Path> keystore = c.keystore().isBlank() ? Optional.empty() : Optional.of(Path.of(c.keystore()));
        return keystore.map(k -> lc.withKeystore(k, c.keystorePassword())).orElse(lc);
    }

    /** This, or this as a non-blocking protocol (the transport then drains input on the I/O thread). */
    private ProtocolHandler handler(ProbeConfig c) {
        if (!c.nonBlocking()) {
            return this;
        }
        return new NonBlockingProtocolHandler() {
            @Override
            public ProtocolSession open(Connection connection) {
                return ProbeServer.this.open(connection);
            }

            @Override
            public void refuse(Connection connection, Refusal reason) {
                ProbeServer.this.refuse(connection, reason);
            }
        };
    }

    @Override
    public ProtocolSession open(Connection connection) {
        return new ProbeSession(connection, config.maxBlockOctets());
    }

    @Override
    public void refuse(Connection connection, Refusal reason) {
        connection.writeLine("* BYE " + (reason == Refusal.TOO_MANY_CONNECTIONS ? "too many connections"
                : "too many connections from your address"));
    }
}
