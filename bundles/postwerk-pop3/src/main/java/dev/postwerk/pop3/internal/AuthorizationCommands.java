package dev.postwerk.pop3.internal;

import java.util.Arrays;
import java.util.Optional;

import dev.postwerk.api.sasl.SaslAuthenticator;
import dev.postwerk.api.sasl.SaslContext;
import dev.postwerk.api.sasl.SaslResult;
import dev.postwerk.pop3.internal.SessionState.Authorization;

/**
 * USER, PASS (RFC 1939 §7) and STLS (RFC 2595 §4). APOP is not offered: it needs the plaintext
 * secret on the server, and the directory keeps only hashes.
 */
final class AuthorizationCommands {

    private AuthorizationCommands() {
    }

    static void user(Pop3Session session, Request request) {
        if (!session.saslContext().plaintextPermitted()) {
            // RFC 2595 §2.2 and RFC 8314: no password in the clear unless the listener allows it
            session.error(Reply.PLAINTEXT_REFUSED);
            return;
        }
        String name = request.argument().strip();
        if (name.isEmpty()) {
            session.error(Reply.SYNTAX, "USER needs a name");
            return;
        }
        session.state(new Authorization(Optional.of(name)));
        session.reply(Reply.SEND_PASS);
    }

    static void pass(Pop3Session session, Request request) {
        if (!(session.state() instanceof Authorization a) || a.user().isEmpty()) {
            session.error(Reply.USER_FIRST);
            return;
        }
        String user = a.user().get();
        // RFC 1939 §7: the argument is the rest of the line, spaces included
        Optional<SaslAuthenticator> sasl = session.services().sasl();
        if (sasl.isEmpty()) {
            session.state(Authorization.START);
            session.reply(Reply.AUTH_UNAVAILABLE);
            return;
        }
        SaslContext context = session.saslContext();
        char[] password = request.argument().toCharArray();
        SaslResult result;
        try {
            result = sasl.get().login(context, user, password);
        } finally {
            Arrays.fill(password, '\0');
        }
        if (result instanceof SaslResult.Success s) {
            session.authenticated(s, "USER/PASS");
        } else {
            session.authenticationFailed((SaslResult.Failure) result);
        }
    }

    static void stls(Pop3Session session, Request request) {
        if (!request.arguments().isEmpty()) {
            session.error(Reply.SYNTAX, "STLS takes no arguments");
            return;
        }
        if (!session.connection().canStartTls()) {
            session.error(Reply.TLS_UNAVAILABLE);
            return;
        }
        // RFC 2595 §4: nothing from before TLS carries over (a USER given in the clear is forgotten);
        // the transport drops whatever the client pipelined after STLS
        session.state(Authorization.START);
        session.connection().startTls(Reply.STLS_GO_AHEAD.line());
    }
}
