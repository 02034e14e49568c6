package dev.postwerk.transport.internal;

import java.nio.file.Path;

/** Lets tests in other packages build a transport over a temporary data folder. */
public final class TransportTestAccess {
    private TransportTestAccess() {
    }

    public static TransportComponent create(TransportConfig config, Path dataFolder) {
        return new TransportComponent(config, dataFolder);
    }
}
