package dev.postwerk.pop3.internal;

import java.util.Optional;

import dev.postwerk.api.sasl.SaslExchange;

/** Where a POP3 session is (RFC 1939 §3); each state carries what is valid in it and nothing else. */
sealed interface SessionState {

    /** Before login; {@code user} once USER was accepted and until PASS answers. */
    record Authorization(Optional<String> user) implements SessionState {
        static final Authorization START = new Authorization(Optional.empty());
    }

    /** An AUTH exchange waits for the client's next base64 line (RFC 5034 §4). */
    record Authenticating(SaslExchange exchange) implements SessionState {
    }

    /** Logged in, holding the locked maildrop. */
    record Transaction(Maildrop maildrop) implements SessionState {
    }

    /** QUIT answered, the connection closing or closed: input is ignored. */
    record Ended() implements SessionState {
        static final Ended INSTANCE = new Ended();
    }
}
