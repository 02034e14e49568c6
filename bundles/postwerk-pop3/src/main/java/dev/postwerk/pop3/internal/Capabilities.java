package dev.postwerk.pop3.internal;

import java.util.ArrayList;
import java.util.List;

import dev.postwerk.api.sasl.SaslContext;

/**
 * CAPA (RFC 2449 §5): only what this server does on this connection, now. USER, SASL and STLS
 * belong to the AUTHORIZATION state and depend on TLS; the rest is fixed.
 */
final class Capabilities {

    private Capabilities() {
    }

    static void capa(Pop3Session session, Request request) {
        if (!request.arguments().isEmpty()) {
            session.error(Reply.SYNTAX, "CAPA takes no arguments");
            return;
        }
        session.multiLine(Reply.CAPABILITIES, new Object[0], list(session));
    }

    static List<String> list(Pop3Session session) {
        Pop3Settings settings = session.settings();
        List<String> lines = new ArrayList<>();
        lines.add("TOP");
        lines.add("UIDL");
        lines.add("RESP-CODES");
        lines.add("AUTH-RESP-CODE");
        lines.add("PIPELINING");
        if (!session.inTransaction()) {
            SaslContext context = session.saslContext();
            if (context.plaintextPermitted()) {
                lines.add("USER");
            }
            session.services().sasl().map(s -> s.mechanisms(context)).filter(m -> !m.isEmpty())
                    .ifPresent(m -> lines.add("SASL " + String.join(" ", m)));
            if (session.connection().canStartTls()) {
                lines.add("STLS");
            }
        }
        lines.add("EXPIRE " + (settings.expireDays().isPresent() ? settings.expireDays().getAsInt() : "NEVER"));
        if (!settings.loginDelay().isZero()) {
            lines.add("LOGIN-DELAY " + settings.loginDelay().toSeconds());
        }
        if (!settings.implementation().isEmpty()) {
            lines.add("IMPLEMENTATION " + settings.implementation());
        }
        return lines;
    }
}
