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
}
