package dev.postwerk.api.sasl;

import java.time.Duration;
import java.util.Objects;

import dev.postwerk.api.directory.Principal;

/** The end of an authentication: a principal, or a failure the protocol maps to its reply. */
public sealed interface SaslResult extends SaslStep permits SaslResult.Success, SaslResult.Failure {

    /**
     * Authenticated.
     *
     * @param principal the account the session acts as (the authorization identity)
     * @param authenticatedAs who proved their identity; differs from {@code principal.name()} only
     *        when a master user acts for another account, and belongs in the logs
     */
    record Success(Principal principal, String authenticatedAs) implements SaslResult {
        public Success {
            Objects.requireNonNull(principal, "principal");
            Objects.requireNonNull(authenticatedAs, "authenticatedAs");
        }
    }

    /**
     * Not authenticated.
     *
     * @param reason why, for the reply code
     * @param replyDelay how long the protocol waits before sending the failure reply (brute-force
     *        penalty; RFC 4954 §4 leaves pacing to the server). Schedule the reply, do not sleep.
     */
    record Failure(FailureReason reason, Duration replyDelay) implements SaslResult {
        public Failure {
            Objects.requireNonNull(reason, "reason");
            if (replyDelay.isNegative()) {
                throw new IllegalArgumentException("negative delay");
            }
        }

        public static Failure of(FailureReason reason) {
            return new Failure(reason, Duration.ZERO);
        }
    }
}
