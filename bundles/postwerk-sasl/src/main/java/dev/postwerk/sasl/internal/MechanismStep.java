package dev.postwerk.sasl.internal;

import java.util.Objects;
import java.util.Optional;

import dev.postwerk.api.directory.AuthResult;
import dev.postwerk.api.sasl.FailureReason;

/** What a mechanism says after a client message; the exchange turns it into a public step. */
sealed interface MechanismStep {

    /** Send this challenge and wait. */
    record Challenge(byte[] data) implements MechanismStep {
    }

    /**
     * The credentials were checked.
     *
     * @param result the directory's answer for the authentication identity
     * @param authcid who tried to authenticate (for the guard and the logs)
     * @param authzid the requested authorization identity; empty for "the same"
     * @param serverFinal data the server must still send before success (SCRAM's verifier)
     */
    record Checked(AuthResult result, String authcid, Optional<String> authzid, Optional<byte[]> serverFinal)
            implements MechanismStep {
        public Checked {
            Objects.requireNonNull(result);
            Objects.requireNonNull(authcid);
            Objects.requireNonNull(authzid);
            Objects.requireNonNull(serverFinal);
        }
    }

    /** Failed before any credential was checked (syntax, unavailable directory). */
    record Failed(FailureReason reason) implements MechanismStep {
    }
}
