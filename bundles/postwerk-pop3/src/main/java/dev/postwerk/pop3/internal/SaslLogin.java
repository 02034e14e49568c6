package dev.postwerk.pop3.internal;

import java.util.Base64;
import java.util.List;
import java.util.Optional;

import dev.postwerk.api.sasl.SaslAuthenticator;
import dev.postwerk.api.sasl.SaslExchange;
import dev.postwerk.api.sasl.SaslResult;
import dev.postwerk.api.sasl.SaslStep;
import dev.postwerk.pop3.internal.SessionState.Authenticating;
import dev.postwerk.pop3.internal.SessionState.Authorization;

/**
 * AUTH (RFC 5034): every mechanism the SASL service offers on this connection, with an optional
 * initial response, {@code *} to cancel, and base64 on both sides. Payloads are never logged.
 */
final class SaslLogin {

    private SaslLogin() {
    }

    static void start(Pop3Session session, Request request) {
        Optional<SaslAuthenticator> sasl = session.services().sasl();
        if (sasl.isEmpty()) {
            session.reply(Reply.AUTH_UNAVAILABLE);
            return;
        }
        List<String> args = request.arguments();
        if (args.isEmpty()) {
            // Not in RFC 5034, but what clients written before CAPA send (Outlook among them)
            // to ask for the mechanisms; the same list as CAPA's SASL line
            session.multiLine(Reply.MECHANISMS_FOLLOW, new Object[0], sasl.get().mechanisms(session.saslContext()));
            return;
        }
        if (args.size() > 2) {
            session.error(Reply.SYNTAX, "AUTH takes a mechanism and an optional initial response");
            return;
        }
        Optional<byte[]> initial = Optional.empty();
        if (args.size() == 2) {
            // RFC 5034 §4: "=" is an empty initial response
            Optional<byte[]> decoded = args.get(1).equals("=") ? Optional.of(new byte[0]) : decode(args.get(1));
            if (decoded.isEmpty()) {
                session.error(Reply.BAD_BASE64);
                return;
            }
            initial = decoded;
        }
        SaslExchange exchange = sasl.get().exchange(args.get(0), session.saslContext());
        step(session, exchange, exchange.start(initial));
    }

    /** The client's answer to a challenge. */
    static void respond(Pop3Session session, SaslExchange exchange, String line) {
        if (line.equals("*")) {
            // RFC 5034 §4: the client cancels; the server rejects the AUTH command
            session.state(Authorization.START);
            session.reply(Reply.AUTH_CANCELLED);
            return;
        }
        Optional<byte[]> decoded = decode(line);
        if (decoded.isEmpty()) {
            session.state(Authorization.START);
            session.error(Reply.BAD_BASE64);
            return;
        }
        step(session, exchange, exchange.respond(decoded.get()));
    }

    private static void step(Pop3Session session, SaslExchange exchange, SaslStep step) {
        if (step instanceof SaslStep.Challenge c) {
            session.state(new Authenticating(exchange));
            session.reply(Reply.SASL_CHALLENGE, Base64.getEncoder().encodeToString(c.data()));
        } else if (step instanceof SaslResult.Success s) {
            session.authenticated(s, "AUTH " + exchange.mechanism());
        } else {
            session.authenticationFailed((SaslResult.Failure) step);
        }
    }

    private static Optional<byte[]> decode(String text) {
        try {
            return Optional.of(Base64.getDecoder().decode(text.strip()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
