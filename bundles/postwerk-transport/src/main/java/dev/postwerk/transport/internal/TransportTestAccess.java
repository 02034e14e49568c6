package dev.postwerk.transport.internal;

import java.nio.file.Path;

/**
 * Builds a transport outside OSGi over a given data folder: for the socket tests of protocol
 * bundles (which put this jar on their test class path) and for embedding.
 */
public final class TransportTestAccess {
    private TransportTestAccess() {
    }

    public static TransportComponent create(TransportConfig config, Path dataFolder) {
        return new TransportComponent(config, dataFolder);
    }

    /** Replies queued for clients that have not read them yet, on one listener. */
    public static long queuedOutputBytes(dev.postwerk.api.transport.Listener listener) {
        return ((MinaListener) listener).queuedOutputBytes();
    }
}
