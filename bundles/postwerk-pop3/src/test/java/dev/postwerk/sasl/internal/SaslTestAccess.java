package dev.postwerk.sasl.internal;

import java.util.List;

import dev.postwerk.api.directory.UserDirectory;
import dev.postwerk.api.sasl.AuthGuard;
import dev.postwerk.api.sasl.SaslAuthenticator;

/**
 * Builds the real SASL service outside OSGi for the POP3 tests. It sits in the SASL bundle's
 * package because its wiring method is package-private; on the test class path that is allowed.
 */
public final class SaslTestAccess {
    private SaslTestAccess() {
    }

    public static SaslAuthenticator create(AuthGuard guard, UserDirectory directory, List<String> mechanisms) {
        return new SaslAuthenticatorImpl().with(guard, directory, mechanisms);
    }
}
