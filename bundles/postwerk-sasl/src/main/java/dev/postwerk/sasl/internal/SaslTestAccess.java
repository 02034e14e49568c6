package dev.postwerk.sasl.internal;

import java.util.List;

import dev.postwerk.api.directory.UserDirectory;
import dev.postwerk.api.sasl.AuthGuard;
import dev.postwerk.api.sasl.SaslAuthenticator;

/**
 * Builds the real SASL service outside OSGi, for the socket tests of protocol bundles (which
 * put this jar on their test class path) and for embedding. Not exported: bundles never see it.
 */
public final class SaslTestAccess {
    private SaslTestAccess() {
    }

    public static SaslAuthenticator create(AuthGuard guard, UserDirectory directory, List<String> mechanisms) {
        return new SaslAuthenticatorImpl().with(guard, directory, mechanisms);
    }
}
