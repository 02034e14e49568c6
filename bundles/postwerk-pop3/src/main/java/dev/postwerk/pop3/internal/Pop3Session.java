package dev.postwerk.pop3.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.postwerk.api.directory.Principal;
import dev.postwerk.api.sasl.FailureReason;
import dev.postwerk.api.sasl.SaslContext;
import dev.postwerk.api.sasl.SaslResult;
import dev.postwerk.api.store.MailboxStore;
import dev.postwerk.api.store.StoreException;
import dev.postwerk.api.transport.Connection;
import dev.postwerk.api.transport.InputLine;
import dev.postwerk.api.transport.ProtocolSession;
import dev.postwerk.pop3.internal.SessionState.Authenticating;
import dev.postwerk.pop3.internal.SessionState.Authorization;
import dev.postwerk.pop3.internal.SessionState.Ended;
import dev.postwerk.pop3.internal.SessionState.Transaction;

/**
 * One POP3 connection: decodes each line into a {@link Request}, checks that the command is
 * valid in the current phase, and hands it to its command family ({@link AuthorizationCommands},
 * {@link SaslLogin}, {@link TransactionCommands}, {@link Capabilities}). The transport calls it
 * one event at a time, so the state needs no locking.
 */
final class Pop3Session implements ProtocolSession {

    private static final Logger LOG = LoggerFactory.getLogger(Pop3Session.class);

    private final Connection connection;
    private final Pop3Services services;
    private final Pop3Settings settings;
    private SessionState state = Authorization.START;
    private int errors;

    Pop3Session(Connection connection, Pop3Services services, Pop3Settings settings) {
        this.connection = connection;
        this.services = services;
        this.settings = settings;
    }

    // ---- transport events

    @Override
    public void started() {
        reply(Reply.GREETING);
    }

    @Override
    public void lineReceived(InputLine line) {
        if (state instanceof Ended) {
            return; // input pipelined after QUIT or a fatal error
        }
        if (line.hasBareLineEnd()) {
            // RFC 1939 §3: lines end with CRLF; guessing where a bare LF line ends invites smuggling
            abortExchange();
            error(Reply.BARE_LINE_END);
            return;
        }
        if (state instanceof Authenticating a) {
            SaslLogin.respond(this, a.exchange(), line.text());
            return;
        }
        Request request = Request.parse(line.text());
        Optional<Command> command = Command.of(request.verb());
        if (command.isEmpty()) {
            error(Reply.UNKNOWN_COMMAND);
            return;
        }
        Command.Phase phase = state instanceof Transaction ? Command.Phase.TRANSACTION : Command.Phase.AUTHORIZATION;
        if (!command.get().validIn(phase)) {
            error(Reply.WRONG_STATE);
            return;
        }
        switch (command.get()) {
            case CAPA -> Capabilities.capa(this, request);
            case QUIT -> quit(request);
            case USER -> AuthorizationCommands.user(this, request);
            case PASS -> AuthorizationCommands.pass(this, request);
            case APOP -> error(Reply.APOP_UNAVAILABLE);
            case STLS -> AuthorizationCommands.stls(this, request);
            case AUTH -> SaslLogin.start(this, request);
            case STAT -> TransactionCommands.stat(this, maildrop(), request);
            case LIST -> TransactionCommands.list(this, maildrop(), request);
            case UIDL -> TransactionCommands.uidl(this, maildrop(), request);
            case RETR -> TransactionCommands.retr(this, maildrop(), request);
            case TOP -> TransactionCommands.top(this, maildrop(), request);
            case DELE -> TransactionCommands.dele(this, maildrop(), request);
            case RSET -> TransactionCommands.rset(this, maildrop(), request);
            case NOOP -> TransactionCommands.noop(this, request);
        }
    }

    @Override
    public void lineTooLong(long octets) {
        if (state instanceof Ended) {
            return;
        }
        abortExchange();
        error(Reply.LINE_TOO_LONG);
    }

    @Override
    public void idleTimeout() {
        if (!(state instanceof Ended)) {
            reply(Reply.IDLE_TIMEOUT);
        }
        release(); // RFC 1939 §3: an autologout does not enter the UPDATE state
    }

    @Override
    public void shutdown() {
        if (!(state instanceof Ended)) {
            reply(Reply.SHUTDOWN);
        }
        release();
    }

    @Override
    public void closed() {
        release(); // a dropped connection deletes nothing
    }

    // ---- shared by the command families

    Connection connection() {
        return connection;
    }

    Pop3Settings settings() {
        return settings;
    }

    Pop3Services services() {
        return services;
    }

    SessionState state() {
        return state;
    }

    void state(SessionState next) {
        state = next;
    }

    boolean inTransaction() {
        return state instanceof Transaction;
    }

    private Maildrop maildrop() {
        return ((Transaction) state).maildrop();
    }

    SaslContext saslContext() {
        String name = settings.serverName().isEmpty() ? connection.localAddress().getHostString()
                : settings.serverName();
        return new SaslContext(connection.remoteAddress().getAddress(), connection.isSecure(),
                settings.plaintextAllowed(), name);
    }

    void reply(Reply reply, Object... args) {
        connection.writeLine(reply.line(args));
    }

    /**
     * A client error: the reply, or, once the client has made too many, a last error and the
     * end of the session (no UPDATE).
     */
    void error(Reply reply, Object... args) {
        if (++errors >= settings.maxErrors()) {
            LOG.debug("{} closed after {} errors", connection.id(), errors);
            reply(Reply.TOO_MANY_ERRORS);
            end();
        } else {
            reply(reply, args);
        }
    }

    /**
     * Writes a multi-line response (RFC 1939 §3): the status line, the lines (none starts with
     * "." here: they are numbers and capability names), and the terminating ".".
     */
    void multiLine(Reply status, Object[] args, Iterable<String> lines) {
        try (Writer out = new OutputStreamWriter(connection.output(), StandardCharsets.US_ASCII)) {
            out.write(status.line(args));
            out.write("\r\n");
            for (String line : lines) {
                out.write(line);
                out.write("\r\n");
            }
            out.write(".\r\n");
        } catch (IOException e) {
            LOG.debug("{} gone while writing a listing: {}", connection.id(), e.toString());
            end();
        }
    }

    /** A stream for one large response; closing it leaves the connection open. */
    OutputStream output() {
        return connection.output();
    }

    /** Ends the session without UPDATE and closes the connection. */
    void end() {
        release();
        connection.close();
    }

    private void release() {
        if (state instanceof Transaction t) {
            t.maildrop().release();
        }
        state = Ended.INSTANCE;
    }

    private void abortExchange() {
        if (state instanceof Authenticating) {
            state = Authorization.START;
        }
    }

    private void quit(Request request) {
        if (!request.arguments().isEmpty()) {
            error(Reply.SYNTAX, "QUIT takes no arguments");
            return;
        }
        if (state instanceof Transaction t) {
            // RFC 1939 §6: the UPDATE state. The maildrop is unlocked before the reply, so a
            // client that logs in again right after +OK does not get [IN-USE].
            Reply reply;
            Object[] arguments = {};
            try {
                int removed = t.maildrop().update(settings.deletesRetrieved());
                LOG.debug("{} QUIT: {} messages of {} removed", connection.id(), removed, t.maildrop().user());
                reply = removed == 0 ? Reply.BYE : Reply.BYE_UPDATED;
                arguments = removed == 0 ? new Object[0] : new Object[] {removed};
            } catch (StoreException e) {
                LOG.warn("{} could not remove deleted messages of {}: {}", connection.id(), t.maildrop().user(),
                        e.getMessage());
                reply = Reply.UPDATE_FAILED;
            }
            release();
            reply(reply, arguments);
        } else {
            reply(Reply.BYE);
        }
        end();
    }

    // ---- login, shared by USER/PASS and AUTH

    /**
     * The credentials were right: lock the maildrop, take its snapshot and enter the
     * TRANSACTION state; or say why not, back in AUTHORIZATION.
     */
    void authenticated(SaslResult.Success success, String how) {
        state = Authorization.START;
        Principal principal = success.principal();
        Optional<MailboxStore> store = services.store();
        if (store.isEmpty()) {
            LOG.warn("{} POP3 login of {} refused: no mail store", connection.id(), principal.name());
            reply(Reply.STORE_UNAVAILABLE);
            return;
        }
        MaildropLocks locks = services.locks();
        Optional<MaildropLocks.Lease> lease = locks.tryLock(principal.name());
        if (lease.isEmpty()) {
            LOG.debug("{} maildrop of {} is in use", connection.id(), principal.name());
            reply(Reply.IN_USE);
            return;
        }
        Duration delay = settings.loginDelay();
        if (!locks.loginAllowed(principal.name(), delay)) {
            lease.get().close();
            reply(Reply.LOGIN_DELAY, delay.toSeconds());
            return;
        }
        try {
            Maildrop maildrop = Maildrop.open(store.get(), lease.get());
            state = new Transaction(maildrop);
            LOG.debug("{} logged in as {} ({}{}), {} messages", connection.id(), principal.name(), how,
                    success.authenticatedAs().equals(principal.name()) ? "" : " by " + success.authenticatedAs(),
                    maildrop.size());
            reply(Reply.LOGGED_IN, maildrop.liveCount(), maildrop.liveOctets());
        } catch (StoreException e) {
            lease.get().close();
            LOG.warn("{} cannot open the maildrop of {}: {}", connection.id(), principal.name(), e.toString());
            // RFC 3206 §4: SYS/TEMP when trying again later may work, SYS/PERM when only an admin can help
            reply(e.reason() == StoreException.Reason.UNAVAILABLE ? Reply.STORE_UNAVAILABLE : Reply.MAILDROP_BROKEN);
        } catch (RuntimeException e) {
            lease.get().close();
            LOG.warn("{} cannot open the maildrop of {}", connection.id(), principal.name(), e);
            reply(Reply.STORE_UNAVAILABLE);
        }
    }

    /**
     * The credentials were not accepted. The reply waits for the brute-force delay without
     * holding a thread ({@link Connection#delay}); input that arrives meanwhile waits too.
     */
    void authenticationFailed(SaslResult.Failure failure) {
        state = Authorization.START;
        FailureReason reason = failure.reason();
        Reply reply = switch (reason) {
            case INVALID_CREDENTIALS, DISABLED -> Reply.AUTH_FAILED; // never say which (RFC 3206 §4 [AUTH])
            case AUTHORIZATION_DENIED -> Reply.AUTHORIZATION_DENIED;
            case MALFORMED -> Reply.AUTH_MALFORMED;
            case UNSUPPORTED_MECHANISM -> Reply.AUTH_UNSUPPORTED;
            case ENCRYPTION_REQUIRED -> Reply.PLAINTEXT_REFUSED;
            case BLOCKED -> Reply.AUTH_BLOCKED;
            case TEMPORARY -> Reply.AUTH_UNAVAILABLE;
        };
        Runnable send = () -> {
            if (state instanceof Ended) {
                return;
            }
            switch (reason) {
                case BLOCKED -> {
                    // the address is refused for a while: every further try would fail too
                    reply(reply);
                    end();
                }
                case TEMPORARY -> reply(reply);
                default -> error(reply);
            }
        };
        if (failure.replyDelay().isZero()) {
            send.run();
        } else {
            connection.delay(failure.replyDelay(), send);
        }
    }
}
