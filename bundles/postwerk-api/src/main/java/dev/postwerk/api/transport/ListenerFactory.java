package dev.postwerk.api.transport;

import java.io.IOException;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Opens network listeners. Registered by the transport bundle; protocol components bind one
 * listener per configuration and close it when they deactivate. When the factory itself goes
 * away (transport bundle stopped or updated), every listener it opened is closed.
 */
@ProviderType
public interface ListenerFactory {

    /**
     * Binds a port and serves each connection with a session from {@code handler}.
     *
     * @throws IOException when the port cannot be bound or the TLS key material cannot be loaded
     */
    Listener bind(ListenerConfig config, ProtocolHandler handler) throws IOException;
}
