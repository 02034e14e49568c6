package dev.postwerk.api.transport;

import java.net.InetSocketAddress;

import org.osgi.annotation.versioning.ProviderType;

/** A bound port. Closing it unbinds the port and ends its sessions with their protocol's goodbye. */
@ProviderType
public interface Listener extends AutoCloseable {

    ListenerConfig config();

    /** The address actually bound (the real port when the configuration asked for port 0). */
    InetSocketAddress address();

    /** Connections open right now. */
    int connections();

    /**
     * Unbinds the port, tells each open session {@link ProtocolSession#shutdown()} and closes
     * them once their goodbye is written. Never throws; closing twice does nothing.
     */
    @Override
    void close();
}
