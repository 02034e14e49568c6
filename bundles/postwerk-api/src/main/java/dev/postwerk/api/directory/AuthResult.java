package dev.postwerk.api.directory;

import java.util.Objects;
import java.util.Optional;

/**
 * Outcome of a credential check.
 *
 * @param outcome what happened
 * @param principal the authenticated account, present only on {@link Outcome#SUCCESS}
 */
public record AuthResult(Outcome outcome, Optional<Principal> principal) {

    public AuthResult {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(principal, "principal");
        if ((outcome == Outcome.SUCCESS) != principal.isPresent()) {
            throw new IllegalArgumentException("a principal comes with success, and only with it");
        }
    }

    public static AuthResult success(Principal principal) {
        return new AuthResult(Outcome.SUCCESS, Optional.of(principal));
    }

    public static AuthResult failure(Outcome outcome) {
        return new AuthResult(outcome, Optional.empty());
    }

    /** Why a check succeeded or not. Protocols say only "failed" to the client for the first two. */
    public enum Outcome {
        SUCCESS,
        /** Unknown user or wrong password (never say which). */
        INVALID_CREDENTIALS,
        /** The account exists but may not log in now. */
        DISABLED,
        /** Temporary: the directory could not check (IMAP [UNAVAILABLE], SMTP 454 4.7.0). */
        UNAVAILABLE
    }
}
