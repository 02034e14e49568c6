package dev.postwerk.pop3.internal;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/** The commands this server knows and the phases (RFC 1939 §3) each is valid in. */
enum Command {
    CAPA(Phase.AUTHORIZATION, Phase.TRANSACTION),
    QUIT(Phase.AUTHORIZATION, Phase.TRANSACTION),
    USER(Phase.AUTHORIZATION),
    PASS(Phase.AUTHORIZATION),
    APOP(Phase.AUTHORIZATION),
    AUTH(Phase.AUTHORIZATION),
    STLS(Phase.AUTHORIZATION),
    STAT(Phase.TRANSACTION),
    LIST(Phase.TRANSACTION),
    UIDL(Phase.TRANSACTION),
    RETR(Phase.TRANSACTION),
    TOP(Phase.TRANSACTION),
    DELE(Phase.TRANSACTION),
    RSET(Phase.TRANSACTION),
    NOOP(Phase.TRANSACTION);

    /** RFC 1939 §3. UPDATE has no commands: it is what QUIT does in TRANSACTION. */
    enum Phase {
        AUTHORIZATION, TRANSACTION
    }

    private final Set<Phase> validIn;

    Command(Phase first, Phase... more) {
        this.validIn = EnumSet.of(first, more);
    }

    boolean validIn(Phase phase) {
        return validIn.contains(phase);
    }

    static Optional<Command> of(String verb) {
        for (Command c : values()) {
            if (c.name().equals(verb)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
