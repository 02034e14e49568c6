package dev.postwerk.smtp.internal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.postwerk.api.directory.Resolution;
import dev.postwerk.api.directory.UserDirectory;
import dev.postwerk.api.filter.FilterChain;
import dev.postwerk.api.filter.FilterChain.Stage;
import dev.postwerk.api.filter.Verdict;
import dev.postwerk.api.mail.Envelope;
import dev.postwerk.api.mail.InvalidAddressException;
import dev.postwerk.api.mail.MailAddress;
import dev.postwerk.api.mail.Origin;
import dev.postwerk.api.mail.Recipient;
import dev.postwerk.api.queue.MailQueue;
import dev.postwerk.api.queue.QueueException;
import dev.postwerk.api.queue.SpoolWriter;
import dev.postwerk.api.sasl.SaslAuthenticator;
import dev.postwerk.api.sasl.SaslContext;
import dev.postwerk.api.sasl.SaslExchange;
import dev.postwerk.api.sasl.SaslResult;
import dev.postwerk.api.sasl.SaslStep;
import dev.postwerk.api.store.MailboxStore;
import dev.postwerk.api.store.QuotaUsage;
import dev.postwerk.api.store.StoreException;
import dev.postwerk.api.store.UserMailboxes;
import dev.postwerk.api.transport.Connection;
import dev.postwerk.api.transport.ContentSink;
import dev.postwerk.api.transport.ContentSummary;
import dev.postwerk.api.transport.InputLine;
import dev.postwerk.api.transport.ProtocolSession;

/**
 * One SMTP connection's state machine (RFC 5321 §4.1.4 command order). The transport calls it
 * one event at a time on the network I/O thread (SMTP is a {@link
 * dev.postwerk.api.transport.NonBlockingProtocolHandler}): what answers from memory runs there
 * (greeting, EHLO, MAIL, RCPT with a directory that answers from memory and a cached quota
 * answer, DATA, RSET, NOOP, QUIT, a message's content while the spool keeps it in memory, and the
 * end of data, whose commit is awaited without holding a thread), and what may block is handed to
 * a worker with {@link Connection#offload}: filters registered for the stage, a directory that
 * may block, a quota the store must be asked for, SASL, VRFY, ETRN, aborts, and content the spool
 * writes to a file. Replies are written in command order either way, which is all PIPELINING
 * (RFC 2920) needs.
 */
final class SmtpSession implements ProtocolSession {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpSession.class);
    private static final Pattern MAIL_FROM = Pattern.compile("(?i)MAIL FROM:\\s*(.*)");
    private static final Pattern RCPT_TO = Pattern.compile("(?i)RCPT TO:\\s*(.*)");
    private static final Pattern BDAT = Pattern.compile("(?i)(\\d{1,18})(\\s+LAST)?\\s*");
    private static final Pattern DOMAIN = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
            + "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*");

    private enum State {
        /** Connected; EHLO/HELO expected. */
        GREETED,
        /** After EHLO/HELO, no transaction. */
        READY,
        /** A SASL exchange waits for the client's next line. */
        AUTH,
        /** Inside DATA or a BDAT chunk: input goes to the spool, not here. */
        RECEIVING,
        /** QUIT or a fatal error: nothing more is read. */
        CLOSED
    }

    /** One mail transaction, from MAIL to the end of data. */
    private static final class Transaction {
        final Optional<MailAddress> sender;
        final Map<String, String> parameters;
        final boolean utf8;
        final boolean binary;
        final List<Recipient> recipients = new ArrayList<>();
        SpoolWriter writer;
        MessageSink sink;
        boolean bdat;
        boolean failed;
        long bdatOctets;

        Transaction(Optional<MailAddress> sender, Map<String, String> parameters) {
            this.sender = sender;
            this.parameters = parameters;
            this.utf8 = parameters.containsKey("SMTPUTF8");
            this.binary = "BINARYMIME".equalsIgnoreCase(parameters.get("BODY"));
        }

        void abort() {
            if (writer != null) {
                writer.abort();
                writer = null;
            }
        }
    }

    private final Connection connection;
    private final SmtpSettings settings;
    private final SmtpServices services;
    private final Instant started = Instant.now();

    private State state = State.GREETED;
    private boolean esmtp;
    private Optional<String> heloName = Optional.empty();
    private Optional<String> authIdentity = Optional.empty();
    private Transaction transaction;
    private SaslExchange exchange;
    private int errors;
    private int transactions;

    SmtpSession(Connection connection, SmtpSettings settings, SmtpServices services) {
        this.connection = connection;
        this.settings = settings;
        this.services = services;
    }

    // ---- transport events ----

    @Override
    public void started() {
        Optional<FilterChain> filters = services.filters();
        if (filters.isEmpty()) {
            closeWith(SmtpReply.of(421, "4.3.0", settings.hostname() + " Service temporarily unavailable"));
            return;
        }
        if (filters.get().hasFilters(Stage.CONNECT)) {
            connection.offload(() -> greet(filters.get()));
        } else {
            greet(filters.get());
        }
    }

    private void greet(FilterChain filters) {
        Verdict verdict = filters.onConnect(origin());
        if (verdict instanceof Verdict.Reject r) {
            closeWith(SmtpReply.of(554, r.reply().status(), r.reply().text()));
            return;
        }
        if (verdict instanceof Verdict.TempFail t) {
            closeWith(SmtpReply.of(421, t.reply().status(), t.reply().text()));
            return;
        }
        connection.writeLine("220 " + settings.hostname() + " ESMTP Postwerk");
    }

    @Override
    public void lineReceived(InputLine line) {
        if (state == State.CLOSED) {
            return;
        }
        if (overtime()) {
            return;
        }
        if (line.hasBareLineEnd()) {
            error(SmtpReply.BARE_LINE_END_COMMAND);
            return;
        }
        if (state == State.AUTH) {
            offload("AUTH", () -> authResponse(line)); // SASL may hash a password
            return;
        }
        String text = line.text();
        int space = text.indexOf(' ');
        String verb = (space < 0 ? text : text.substring(0, space)).toUpperCase(Locale.ROOT);
        String argument = space < 0 ? "" : text.substring(space + 1);
        // AUTH may carry a long initial response (RFC 4954 §4); every other command is held to
        // the RFC 5321 §4.5.3.1.4 limit
        if (line.length() + 2 > settings.maxCommandLine() && !verb.equals("AUTH")) {
            error(SmtpReply.LINE_TOO_LONG);
            return;
        }
        if (mayBlock(verb)) {
            offload(verb, () -> dispatch(verb, argument, text));
        } else {
            dispatchGuarded(verb, argument, text);
        }
    }

    /**
     * True when {@code verb} may block (see the class comment), so it runs on a worker. A filter
     * added just after this answered is still called; the command merely blocks the I/O thread
     * for it once.
     */
    private boolean mayBlock(String verb) {
        if (transaction != null && transaction.writer != null && !verb.equals("BDAT")) {
            return true; // between BDAT chunks: whatever ends the transaction aborts its spool entry
        }
        return switch (verb) {
            case "AUTH", "VRFY", "ETRN" -> true;
            case "RCPT" -> hasFilters(Stage.RCPT_TO); // the directory and quota: see rcpt()
            case "EHLO", "HELO" -> hasFilters(Stage.HELO);
            case "MAIL" -> hasFilters(Stage.MAIL_FROM);
            default -> false;
        };
    }

    private boolean hasFilters(Stage stage) {
        Optional<FilterChain> filters = services.filters();
        return filters.isPresent() && filters.get().hasFilters(stage);
    }

    private void dispatchGuarded(String verb, String argument, String text) {
        guarded(verb, () -> dispatch(verb, argument, text));
    }

    /**
     * Runs a step that calls services. One that fails in a way it should not (directory, store,
     * queue, SASL) gives the client a temporary error and the session goes on (DESIGN.md rule 2).
     */
    private void guarded(String what, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            LOG.warn("{} {} failed: {}", connection.id(), what, e.toString(), e);
            abortTransaction();
            if (state != State.CLOSED) {
                state = heloName.isPresent() ? State.READY : State.GREETED;
                reply(SmtpReply.UNAVAILABLE);
            }
        }
    }

    /** {@link Connection#offload} of a step that calls services, {@link #guarded} as commands are. */
    private void offload(String what, Runnable step) {
        connection.offload(() -> guarded(what, step));
    }

    private void dispatch(String verb, String argument, String text) {
        switch (verb) {
            case "EHLO" -> helo(argument, true);
            case "HELO" -> helo(argument, false);
            case "MAIL" -> mail(text);
            case "RCPT" -> rcpt(text);
            case "DATA" -> data(argument);
            case "BDAT" -> bdat(argument);
            case "RSET" -> rset(argument);
            case "NOOP" -> reply(SmtpReply.OK);
            case "QUIT" -> closeWith(SmtpReply.BYE);
            case "VRFY" -> vrfy(argument);
            case "EXPN" -> error(SmtpReply.NOT_IMPLEMENTED);
            case "HELP" -> reply(SmtpReply.HELP);
            case "STARTTLS" -> startTls(argument);
            case "AUTH" -> auth(argument);
            case "ETRN" -> etrn(argument);
            default -> error(SmtpReply.UNRECOGNIZED);
        }
    }

    @Override
    public void lineTooLong(long octets) {
        if (state == State.AUTH) {
            abortAuth();
        }
        error(SmtpReply.LINE_TOO_LONG);
    }

    @Override
    public void idleTimeout() {
        if (state != State.CLOSED) {
            connection.writeLine(SmtpReply.of(421, "4.4.2", settings.hostname() + " Idle timeout, closing").line());
            state = State.CLOSED;
        }
        abortTransaction();
    }

    @Override
    public void shutdown() {
        if (state != State.CLOSED) {
            connection.writeLine(SmtpReply.of(421, "4.3.2", settings.hostname() + " Service shutting down").line());
            state = State.CLOSED;
        }
        abortTransaction();
    }

    @Override
    public void closed() {
        state = State.CLOSED;
        abortTransaction();
    }

    /**
     * Past the maximum session length the session ends with 421 (RFC 5321 §4.2.2 allows it at any
     * time). Checked at every command and every chunk of message data, so a client trickling its
     * DATA one octet at a time, just inside the idle timeout, cannot hold a connection for ever.
     */
    private boolean overtime() {
        if (state == State.CLOSED) {
            return true;
        }
        if (Instant.now().isAfter(started.plus(settings.maxSession()))) {
            closeWith(SmtpReply.of(421, "4.4.2", settings.hostname() + " Session too long, closing"));
            return true;
        }
        return false;
    }

    // ---- commands ----

    private void helo(String argument, boolean extended) {
        String name = argument.trim();
        if (name.isEmpty() || name.contains(" ")) {
            error(SmtpReply.of(501, "5.5.4", "Syntax: " + (extended ? "EHLO" : "HELO") + " hostname"));
            return;
        }
        abortTransaction();
        Optional<FilterChain> filters = services.filters();
        if (filters.isEmpty()) {
            reply(SmtpReply.UNAVAILABLE);
            return;
        }
        heloName = Optional.of(name);
        Verdict verdict = filters.get().onHelo(origin());
        if (refused(verdict)) {
            heloName = Optional.empty();
            return;
        }
        esmtp = extended;
        state = State.READY;
        String greeting = settings.hostname() + " Hello " + name + " [" + connection.remoteAddress().getAddress().getHostAddress() + "]";
        if (!extended) {
            reply(SmtpReply.of(250, "2.0.0", greeting));
            return;
        }
        // EHLO replies carry no enhanced status codes (RFC 2034 §3: only after EHLO is it known)
        List<String> lines = new ArrayList<>();
        lines.add(greeting);
        lines.add("PIPELINING");
        lines.add("SIZE " + settings.maxMessageSize());
        lines.add("8BITMIME");
        lines.add("ENHANCEDSTATUSCODES");
        lines.add("SMTPUTF8");
        lines.add("DSN");
        lines.add("CHUNKING");
        lines.add("BINARYMIME");
        if (connection.canStartTls()) {
            lines.add("STARTTLS");
        }
        List<String> mechanisms = offeredMechanisms();
        if (!mechanisms.isEmpty()) {
            lines.add("AUTH " + String.join(" ", mechanisms));
        }
        if (settings.etrnEnabled()) {
            lines.add("ETRN");
        }
        lines.add("HELP");
        connection.write(SmtpReply.multiline(250, lines));
    }

    private List<String> offeredMechanisms() {
        Optional<SaslAuthenticator> sasl = services.sasl();
        if (sasl.isEmpty() || authIdentity.isPresent() || !authAllowedHere()) {
            return List.of();
        }
        return sasl.get().mechanisms(saslContext());
    }

    /** RFC 3207 §4 and the issue: AUTH only under TLS unless a listener allows it without. */
    private boolean authAllowedHere() {
        return connection.isSecure() || settings.allowAuthWithoutTls();
    }

    private SaslContext saslContext() {
        return new SaslContext(connection.remoteAddress().getAddress(), connection.isSecure(),
                settings.allowAuthWithoutTls(), settings.hostname());
    }

    private void startTls(String argument) {
        if (!argument.isBlank()) {
            error(SmtpReply.NO_PARAMETERS);
            return;
        }
        if (connection.isSecure()) {
            error(SmtpReply.TLS_ACTIVE);
            return;
        }
        if (!connection.canStartTls()) {
            error(SmtpReply.NOT_IMPLEMENTED);
            return;
        }
        // RFC 3207 §4.2: forget everything the client said; it must say EHLO again
        abortTransaction();
        heloName = Optional.empty();
        authIdentity = Optional.empty();
        esmtp = false;
        state = State.GREETED;
        connection.startTls(SmtpReply.START_TLS.line());
    }

    private void auth(String argument) {
        if (state == State.GREETED) {
            error(SmtpReply.SEND_HELO_FIRST);
            return;
        }
        if (authIdentity.isPresent()) {
            error(SmtpReply.ALREADY_AUTHENTICATED);
            return;
        }
        if (transaction != null) {
            error(SmtpReply.AUTH_IN_TRANSACTION);
            return;
        }
        String[] parts = argument.trim().split(" ");
        if (parts[0].isEmpty() || parts.length > 2) {
            error(SmtpReply.of(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]"));
            return;
        }
        if (!authAllowedHere()) {
            error(SmtpReply.ENCRYPTION_REQUIRED);
            return;
        }
        Optional<SaslAuthenticator> sasl = services.sasl();
        if (sasl.isEmpty()) {
            reply(SmtpReply.AUTH_TEMPORARY);
            return;
        }
        String mechanism = parts[0].toUpperCase(Locale.ROOT);
        if (!sasl.get().mechanisms(saslContext()).contains(mechanism)) {
            error(SmtpReply.UNKNOWN_MECHANISM);
            return;
        }
        Optional<byte[]> initial = Optional.empty();
        if (parts.length == 2) {
            if (parts[1].equals("=")) {
                initial = Optional.of(new byte[0]); // RFC 4954 §4: "=" is an empty initial response
            } else {
                try {
                    initial = Optional.of(Base64.getDecoder().decode(parts[1]));
                } catch (IllegalArgumentException e) {
                    error(SmtpReply.BAD_BASE64);
                    return;
                }
            }
        }
        exchange = sasl.get().exchange(mechanism, saslContext());
        authStep(exchange.start(initial));
    }

    private void authResponse(InputLine line) {
        String text = line.text().trim();
        if (text.equals("*")) {
            abortAuth();
            error(SmtpReply.AUTH_CANCELLED);
            return;
        }
        byte[] response;
        try {
            response = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            abortAuth();
            error(SmtpReply.BAD_BASE64);
            return;
        }
        authStep(exchange.respond(response));
    }

    private void authStep(SaslStep step) {
        if (step instanceof SaslStep.Challenge challenge) {
            state = State.AUTH;
            connection.writeLine("334 " + Base64.getEncoder().encodeToString(challenge.data()));
            return;
        }
        state = State.READY;
        String mechanism = exchange.mechanism();
        exchange = null;
        if (step instanceof SaslResult.Success success) {
            authIdentity = Optional.of(success.principal().name());
            LOG.info("{} authenticated as {} with {}", connection.id(), success.principal().name(), mechanism);
            reply(SmtpReply.AUTH_OK);
            return;
        }
        SaslResult.Failure failure = (SaslResult.Failure) step;
        SmtpReply answer = switch (failure.reason()) {
            case INVALID_CREDENTIALS, AUTHORIZATION_DENIED, DISABLED -> SmtpReply.AUTH_FAILED;
            case MALFORMED -> SmtpReply.AUTH_MALFORMED;
            case UNSUPPORTED_MECHANISM -> SmtpReply.UNKNOWN_MECHANISM;
            case ENCRYPTION_REQUIRED -> SmtpReply.ENCRYPTION_REQUIRED;
            case BLOCKED -> SmtpReply.of(421, "4.7.0", settings.hostname() + " Too many failed logins, try again later");
            case TEMPORARY -> SmtpReply.AUTH_TEMPORARY;
        };
        LOG.info("{} authentication with {} failed: {}", connection.id(), mechanism, failure.reason());
        Runnable send = () -> {
            if (answer.code() == 421) {
                closeWith(answer);
            } else if (answer.isPermanentError()) {
                error(answer);
            } else {
                reply(answer);
            }
        };
        if (failure.replyDelay().isZero() || failure.replyDelay().isNegative()) {
            send.run();
        } else {
            // the brute-force penalty: later commands wait too, but no thread is held
            connection.delay(failure.replyDelay(), send);
        }
    }

    private void abortAuth() {
        exchange = null;
        state = State.READY;
    }

    private void mail(String line) {
        if (state == State.GREETED) {
            error(SmtpReply.SEND_HELO_FIRST);
            return;
        }
        if (transaction != null) {
            error(SmtpReply.NESTED_MAIL);
            return;
        }
        if (settings.submission() && authIdentity.isEmpty()) {
            error(SmtpReply.AUTH_REQUIRED);
            return;
        }
        Matcher m = MAIL_FROM.matcher(line);
        if (!m.matches()) {
            error(SmtpReply.of(501, "5.5.4", "Syntax: MAIL FROM:<address>"));
            return;
        }
        String rest = m.group(1);
        int length = MailAddress.pathLength(rest, 0);
        if (length < 0) {
            error(SmtpReply.of(501, "5.1.7", "Bad sender address syntax"));
            return;
        }
        Optional<MailAddress> sender;
        try {
            sender = MailAddress.parsePath(rest.substring(0, length));
        } catch (InvalidAddressException e) {
            error(SmtpReply.of(501, "5.1.7", "Bad sender address syntax: " + e.getMessage()));
            return;
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        SmtpReply problem = mailParameters(rest.substring(length).trim(), parameters);
        if (problem != null) {
            error(problem);
            return;
        }
        if (sender.isPresent() && sender.get().isInternational() && !parameters.containsKey("SMTPUTF8")) {
            error(SmtpReply.NEEDS_SMTPUTF8);
            return;
        }
        Optional<FilterChain> filters = services.filters();
        if (services.queue().isEmpty() || filters.isEmpty()) {
            reply(SmtpReply.UNAVAILABLE);
            return;
        }
        Transaction tx = new Transaction(sender, parameters);
        if (refused(filters.get().onMailFrom(envelope(tx)))) {
            return;
        }
        transaction = tx;
        reply(SmtpReply.SENDER_OK);
    }

    /** Checks MAIL FROM parameters (RFC 1870, 6152, 3030, 6531, 3461, 4954); null when fine. */
    private SmtpReply mailParameters(String text, Map<String, String> parameters) {
        if (text.isEmpty()) {
            return null;
        }
        if (!esmtp) {
            return SmtpReply.UNSUPPORTED_PARAMETER; // HELO clients have no extensions
        }
        for (String token : text.split("\\s+")) {
            int eq = token.indexOf('=');
            String key = (eq < 0 ? token : token.substring(0, eq)).toUpperCase(Locale.ROOT);
            String value = eq < 0 ? "" : token.substring(eq + 1);
            if (parameters.containsKey(key)) {
                return SmtpReply.of(501, "5.5.4", "Duplicate parameter " + key);
            }
            switch (key) {
                case "SIZE" -> {
                    if (!value.matches("\\d{1,18}")) {
                        return SmtpReply.of(501, "5.5.4", "Bad SIZE value");
                    }
                    if (Long.parseLong(value) > settings.maxMessageSize()) {
                        return SmtpReply.TOO_BIG;
                    }
                }
                case "BODY" -> {
                    String body = value.toUpperCase(Locale.ROOT);
                    if (!body.equals("7BIT") && !body.equals("8BITMIME") && !body.equals("BINARYMIME")) {
                        return SmtpReply.of(501, "5.5.4", "BODY must be 7BIT, 8BITMIME or BINARYMIME");
                    }
                    value = body;
                }
                case "SMTPUTF8" -> {
                    if (eq >= 0) {
                        return SmtpReply.of(501, "5.5.4", "SMTPUTF8 takes no value");
                    }
                }
                case "RET" -> {
                    value = value.toUpperCase(Locale.ROOT);
                    if (!value.equals("FULL") && !value.equals("HDRS")) {
                        return SmtpReply.of(501, "5.5.4", "RET must be FULL or HDRS");
                    }
                }
                case "ENVID" -> {
                    if (value.isEmpty() || value.length() > 100 || Xtext.decode(value).isEmpty()) {
                        return SmtpReply.of(501, "5.5.4", "Bad ENVID (RFC 3461 §4.4)");
                    }
                }
                case "AUTH" -> {
                    if (value.isEmpty() || Xtext.decode(value).isEmpty()) {
                        return SmtpReply.of(501, "5.5.4", "Bad AUTH parameter (RFC 4954 §5)");
                    }
                    // RFC 4954 §5: never taken on the client's word: <> unless the session is
                    // authenticated, and then the identity it authenticated as
                    value = authIdentity.map(Xtext::encode).orElse("<>");
                }
                default -> {
                    return SmtpReply.UNSUPPORTED_PARAMETER;
                }
            }
            parameters.put(key, value);
        }
        return null;
    }

    private void rcpt(String line) {
        if (state == State.GREETED) {
            error(SmtpReply.SEND_HELO_FIRST);
            return;
        }
        if (transaction == null) {
            error(SmtpReply.NEED_MAIL);
            return;
        }
        Matcher m = RCPT_TO.matcher(line);
        if (!m.matches()) {
            error(SmtpReply.of(501, "5.5.4", "Syntax: RCPT TO:<address>"));
            return;
        }
        String rest = m.group(1);
        int length = MailAddress.pathLength(rest, 0);
        if (length < 0) {
            error(SmtpReply.of(501, "5.1.3", "Bad recipient address syntax"));
            return;
        }
        String path = rest.substring(0, length);
        MailAddress address;
        try {
            address = path.equalsIgnoreCase("<postmaster>") ? postmaster()
                    : MailAddress.parsePath(path).orElseThrow(() -> new InvalidAddressException("empty recipient"));
        } catch (InvalidAddressException e) {
            error(SmtpReply.of(501, "5.1.3", "Bad recipient address syntax: " + e.getMessage()));
            return;
        }
        Set<Recipient.DsnNotify> notify = EnumSet.noneOf(Recipient.DsnNotify.class);
        Optional<String> orcpt = Optional.empty();
        String params = rest.substring(length).trim();
        if (!params.isEmpty()) {
            if (!esmtp) {
                error(SmtpReply.UNSUPPORTED_PARAMETER);
                return;
            }
            for (String token : params.split("\\s+")) {
                int eq = token.indexOf('=');
                String key = (eq < 0 ? token : token.substring(0, eq)).toUpperCase(Locale.ROOT);
                String value = eq < 0 ? "" : token.substring(eq + 1);
                if (key.equals("NOTIFY") && notify.isEmpty()) {
                    try {
                        for (String n : value.toUpperCase(Locale.ROOT).split(",")) {
                            notify.add(Recipient.DsnNotify.valueOf(n));
                        }
                    } catch (IllegalArgumentException e) {
                        error(SmtpReply.of(501, "5.5.4", "Bad NOTIFY value (RFC 3461 §4.1)"));
                        return;
                    }
                    if (notify.contains(Recipient.DsnNotify.NEVER) && notify.size() > 1) {
                        error(SmtpReply.of(501, "5.5.4", "NOTIFY=NEVER cannot be combined"));
                        return;
                    }
                } else if (key.equals("ORCPT") && orcpt.isEmpty()) {
                    int semicolon = value.indexOf(';');
                    if (semicolon <= 0 || Xtext.decode(value.substring(semicolon + 1)).isEmpty()) {
                        error(SmtpReply.of(501, "5.5.4", "Bad ORCPT value (RFC 3461 §4.2)"));
                        return;
                    }
                    orcpt = Optional.of(value);
                } else {
                    error(SmtpReply.UNSUPPORTED_PARAMETER);
                    return;
                }
            }
        }
        if (address.isInternational() && !transaction.utf8) {
            error(SmtpReply.NEEDS_SMTPUTF8);
            return;
        }
        if (transaction.recipients.size() >= settings.maxRecipients()) {
            reply(SmtpReply.TOO_MANY_RECIPIENTS); // RFC 5321 §4.5.3.1.10: temporary, the client retries the rest
            return;
        }
        Optional<SmtpServices.DirectoryRef> directory = services.directoryRef();
        Optional<FilterChain> filters = services.filters();
        if (directory.isEmpty() || filters.isEmpty()) {
            reply(SmtpReply.UNAVAILABLE);
            return;
        }
        Recipient recipient = new Recipient(address, notify, orcpt);
        // one look at the directory decides where it is asked: a swap in between cannot put a
        // blocking directory on the I/O thread
        UserDirectory dir = directory.get().directory();
        if (directory.get().nonBlocking()) {
            resolveThenAdd(recipient, dir, filters.get());
        } else {
            offload("RCPT", () -> resolveThenAdd(recipient, dir, filters.get())); // on a worker: at once
        }
    }

    private void resolveThenAdd(Recipient recipient, UserDirectory directory, FilterChain filters) {
        MailAddress address = recipient.address();
        if (directory.isLocalDomain(address.domain())) {
            Resolution resolution = directory.resolve(address);
            if (resolution.isUnknown()) {
                error(SmtpReply.of(550, "5.1.1", address.toPath() + ": Recipient address rejected: User unknown"));
                return;
            }
            List<String> users = resolution.local().stream().map(t -> t.user().name()).toList();
            Optional<Boolean> full = cachedMailboxFull(users);
            if (full.isEmpty()) {
                // the store must be asked: disk, so on a worker (on a worker already, at once)
                offload("RCPT", () -> checkQuotaThenAdd(recipient, users, filters));
            } else if (full.get()) {
                replyMailboxFull(recipient);
            } else {
                addRecipient(recipient, filters);
            }
            return;
        } else if (!mayRelay()) {
            // the classic open-relay tricks (user%host@local, "user@host"@local, bang paths)
            // arrive here as local parts of a local domain and are unknown users; a source route
            // is ignored (RFC 5321 §4.1.1.3) and its real target is foreign
            error(SmtpReply.of(554, "5.7.1", address.toPath() + ": Relay access denied"));
            return;
        }
        addRecipient(recipient, filters);
    }

    private void replyMailboxFull(Recipient recipient) {
        // refused now rather than accepted and bounced later; temporary, as the queue's own
        // over-quota handling is (the owner may make room)
        reply(SmtpReply.of(452, "4.2.2", recipient.address().toPath() + ": Mailbox full"));
    }

    private void checkQuotaThenAdd(Recipient recipient, List<String> users, FilterChain filters) {
        for (String user : users) {
            if (mailboxFull(user)) {
                replyMailboxFull(recipient);
                return;
            }
        }
        addRecipient(recipient, filters);
    }

    /** The RCPT-stage filters, then the recipient joins the transaction. */
    private void addRecipient(Recipient recipient, FilterChain filters) {
        MailAddress address = recipient.address();
        if (transaction == null) {
            return; // the session ended while the quota was checked
        }
        Verdict verdict = filters.onRcptTo(envelope(transaction), recipient);
        if (refused(verdict)) {
            return;
        }
        boolean drop = verdict instanceof Verdict.Proceed p && p.changes().dropRecipient();
        boolean duplicate = transaction.recipients.stream().anyMatch(r -> r.address().equals(address));
        if (!drop && !duplicate) {
            transaction.recipients.add(recipient);
        }
        reply(SmtpReply.RECIPIENT_OK);
    }

    /**
     * Whether one of these users' mailboxes is full, from the cache alone; empty when the store
     * would have to be asked for one of them.
     */
    private Optional<Boolean> cachedMailboxFull(List<String> users) {
        if (services.store().isEmpty()) {
            return Optional.of(false); // the queue holds the mail until a store is back and checks then
        }
        long now = System.currentTimeMillis();
        boolean full = false;
        for (String user : users) {
            Optional<Boolean> answer = services.mailboxFullCache().cached(user, now);
            if (answer.isEmpty()) {
                return Optional.empty();
            }
            full |= answer.get();
        }
        return Optional.of(full);
    }

    private boolean mailboxFull(String user) {
        Optional<MailboxStore> store = services.store();
        if (store.isEmpty()) {
            return false; // the queue holds the mail until a store is back and checks then
        }
        return services.mailboxFullCache().isFull(user, () -> mailboxFull(store.get(), user), System.currentTimeMillis());
    }

    private static boolean mailboxFull(MailboxStore store, String user) {
        try (UserMailboxes mail = store.open(user)) {
            QuotaUsage q = mail.quota();
            return (q.storageLimit().isPresent() && q.storageBytes() >= q.storageLimit().getAsLong())
                    || (q.messageLimit().isPresent() && q.messages() >= q.messageLimit().getAsLong());
        } catch (StoreException e) {
            return false;
        }
    }

    private boolean mayRelay() {
        return authIdentity.isPresent() || settings.trusted().contains(connection.remoteAddress().getAddress());
    }

    /** RFC 5321 §4.1.1.3: {@code <Postmaster>} without a domain must be accepted. */
    private MailAddress postmaster() {
        Optional<UserDirectory> directory = services.directory();
        String domain = settings.hostname();
        if (directory.isPresent() && !directory.get().isLocalDomain(domain)) {
            domain = new TreeSet<>(directory.get().localDomains()).stream().findFirst().orElse(domain);
        }
        return MailAddress.of("postmaster", domain);
    }

    private void data(String argument) {
        if (!checkReadyForContent()) {
            return;
        }
        if (!argument.isBlank()) {
            error(SmtpReply.NO_PARAMETERS);
            return;
        }
        if (transaction.bdat) {
            error(SmtpReply.DATA_AFTER_BDAT);
            return;
        }
        if (transaction.binary) {
            error(SmtpReply.BINARYMIME_NEEDS_BDAT);
            return;
        }
        if (!beginSpool()) {
            return;
        }
        Transaction tx = transaction;
        MessageSink sink = tx.sink;
        state = State.RECEIVING;
        reply(SmtpReply.of(354, "2.0.0", "End data with <CR><LF>.<CR><LF>"));
        connection.readDotTerminated(settings.maxMessageSize(), settings.normalizeBareLineEnds(),
                new ContentSink() {
                    @Override
                    public void data(java.nio.ByteBuffer chunk) {
                        if (!overtime()) {
                            write(tx, chunk);
                        }
                    }

                    @Override
                    public void end(ContentSummary summary) {
                        if (state == State.CLOSED) {
                            return;
                        }
                        state = State.READY;
                        SmtpReply problem = null;
                        if (summary.bareLineEnds() > 0 && !settings.normalizeBareLineEnds()) {
                            problem = SmtpReply.BARE_LINE_END_DATA;
                        }
                        finishOffIoThreadIfNeeded(tx, summary, problem);
                    }
                });
    }

    private void bdat(String argument) {
        Matcher m = BDAT.matcher(argument);
        if (!m.matches()) {
            // without a valid size the chunk cannot be skipped: the stream is lost (RFC 3030 §2)
            closeWith(SmtpReply.of(421, "4.5.0", settings.hostname() + " BDAT syntax error (Syntax: BDAT size [LAST]), closing"));
            return;
        }
        long size = Long.parseLong(m.group(1));
        boolean last = m.group(2) != null;
        SmtpReply refusal = null;
        if (state == State.GREETED) {
            refusal = SmtpReply.SEND_HELO_FIRST;
        } else if (transaction == null) {
            refusal = SmtpReply.NEED_MAIL;
        } else if (transaction.recipients.isEmpty()) {
            refusal = SmtpReply.NO_VALID_RECIPIENTS;
        } else if (transaction.failed) {
            refusal = SmtpReply.of(503, "5.5.1", "Transaction failed, send RSET");
        }
        if (refusal == null && transaction.writer == null && !beginSpool(true)) {
            transaction.failed = true;
            // beginSpool replied already; the chunk's octets must still be read and dropped
            skipChunk(size, null);
            return;
        }
        if (refusal != null) {
            // RFC 3030 §4.2: the chunk is consumed even when it is refused
            skipChunk(size, refusal);
            return;
        }
        Transaction tx = transaction;
        tx.bdat = true;
        MessageSink sink = tx.sink;
        state = State.RECEIVING;
        long before = tx.bdatOctets;
        long allowed = Math.max(0, settings.maxMessageSize() - before);
        connection.readOctets(size, new ContentSink() {
            private long taken;

            @Override
            public void data(java.nio.ByteBuffer chunk) {
                if (overtime()) {
                    return;
                }
                // past the limit the octets are counted and dropped, never buffered
                int n = (int) Math.min(chunk.remaining(), Math.max(0, allowed - taken));
                taken += chunk.remaining();
                if (n > 0) {
                    java.nio.ByteBuffer part = chunk.duplicate();
                    part.limit(part.position() + n);
                    write(tx, part);
                }
            }

            @Override
            public void end(ContentSummary summary) {
                if (state == State.CLOSED) {
                    return;
                }
                state = State.READY;
                tx.bdatOctets += size;
                if (tx.bdatOctets > settings.maxMessageSize()) {
                    tx.failed = true;
                    transaction = null;
                    connection.offload(() -> {
                        tx.abort();
                        error(SmtpReply.TOO_BIG);
                    });
                    return;
                }
                if (!last) {
                    reply(SmtpReply.of(250, "2.0.0", size + " octets received"));
                    return;
                }
                // 7BIT/8BITMIME content must be CRLF text (RFC 3030 §3): the same rules as DATA
                SmtpReply problem = !tx.binary && sink.bareLineEnds() > 0 ? SmtpReply.BARE_LINE_END_DATA : null;
                ContentSummary whole = new ContentSummary(tx.bdatOctets, false, tx.binary ? 0 : sink.bareLineEnds(),
                        tx.binary ? 0 : sink.longestLine());
                finishOffIoThreadIfNeeded(tx, whole, problem);
            }
        });
    }

    /**
     * Passes content to the spool: here while the message fits in the spool's memory, on a worker
     * (with a copy: the transport's buffer is only valid during the call) once the spool writes
     * a file.
     */
    private void write(Transaction tx, java.nio.ByteBuffer chunk) {
        MessageSink sink = tx.sink;
        if (tx.writer != null && tx.writer.keepsInMemory(sink.octets() + chunk.remaining())) {
            sink.data(chunk);
        } else {
            java.nio.ByteBuffer copy = java.nio.ByteBuffer.allocate(chunk.remaining()).put(chunk).flip();
            connection.offload(() -> sink.data(copy));
        }
    }

    private void skipChunk(long size, SmtpReply reply) {
        State previous = state;
        state = State.RECEIVING;
        connection.readOctets(size, new ContentSink() {
            @Override
            public void data(java.nio.ByteBuffer chunk) {
            }

            @Override
            public void end(ContentSummary summary) {
                state = previous;
                if (reply != null) {
                    error(reply);
                }
            }
        });
    }

    private boolean checkReadyForContent() {
        if (state == State.GREETED) {
            error(SmtpReply.SEND_HELO_FIRST);
            return false;
        }
        if (transaction == null) {
            error(SmtpReply.NEED_MAIL);
            return false;
        }
        if (transaction.recipients.isEmpty()) {
            error(SmtpReply.NO_VALID_RECIPIENTS);
            return false;
        }
        return true;
    }

    /** Opens the spool entry and writes our Received: header first; replies and returns false on failure. */
    private boolean beginSpool() {
        return beginSpool(false);
    }

    private boolean beginSpool(boolean bdat) {
        Optional<MailQueue> queue = services.queue();
        if (queue.isEmpty()) {
            reply(SmtpReply.UNAVAILABLE);
            return false;
        }
        Transaction tx = transaction;
        try {
            tx.writer = queue.get().begin(envelope(tx));
        } catch (QueueException e) {
            LOG.warn("{} cannot spool: {}", connection.id(), e.getMessage());
            reply(SmtpReply.UNAVAILABLE);
            return false;
        }
        tx.sink = new MessageSink(tx.writer, bdat && !tx.binary);
        transactions++;
        LOG.debug("{} transaction {} spools as {}", connection.id(), transactions, tx.writer.queueId());
        tx.sink.writePrefix(ReceivedHeader.build(origin(), esmtp, tx.utf8, settings.hostname(), tx.writer.queueId(), tx.recipients,
                ZonedDateTime.now(ZoneId.systemDefault())).getBytes(StandardCharsets.UTF_8));
        return true;
    }

    /**
     * {@link #finish} here, or on a worker when data filters are registered or the spool holds
     * the message in a file (its last octets are written there).
     */
    private void finishOffIoThreadIfNeeded(Transaction tx, ContentSummary summary, SmtpReply problem) {
        if (hasFilters(Stage.DATA) || tx.writer == null || !tx.writer.keepsInMemory(tx.sink.octets())) {
            offload("DATA", () -> finish(tx, summary, problem));
        } else {
            guarded("DATA", () -> finish(tx, summary, problem));
        }
    }

    /**
     * The end of DATA or the last BDAT: limits, loop check, data filters, then the durable commit.
     * "250" is written only after commit returned, i.e. after the fsync (DESIGN.md rule 1).
     */
    private void finish(Transaction tx, ContentSummary summary, SmtpReply contentProblem) {
        transaction = null;
        SmtpReply problem = contentProblem;
        if (summary.overLimit()) {
            problem = SmtpReply.TOO_BIG;
        } else if (problem == null && settings.maxTextLine() > 0 && summary.longestLine() > settings.maxTextLine()) {
            problem = SmtpReply.of(554, "5.6.0", "Message has a line longer than " + settings.maxTextLine()
                    + " octets (RFC 5321 §4.5.3.1.6)");
        } else if (problem == null && tx.sink.receivedCount() + 1 > settings.maxReceivedHeaders()) {
            problem = SmtpReply.LOOP;
        }
        if (problem != null) {
            SmtpReply answer = problem;
            abortThen(tx, () -> reply(answer));
            return;
        }
        if (!tx.sink.flush()) {
            LOG.warn("{} spool write failed: {}", connection.id(), tx.sink.failure().toString());
            abortThen(tx, () -> reply(SmtpReply.UNAVAILABLE));
            return;
        }
        Envelope envelope = envelope(tx);
        Optional<FilterChain> filters = services.filters();
        if (filters.isEmpty()) {
            abortThen(tx, () -> reply(SmtpReply.UNAVAILABLE));
            return;
        }
        Verdict verdict = filters.get().onData(envelope, tx.writer.written());
        if (verdict instanceof Verdict.Reject || verdict instanceof Verdict.TempFail) {
            abortThen(tx, () -> refused(verdict));
            return;
        }
        Verdict.Changes changes = verdict instanceof Verdict.Proceed p ? p.changes() : Verdict.Changes.NONE;
        CompletionStage<String> commit;
        try {
            commit = tx.writer.commitAsync(envelope, changes);
        } catch (RuntimeException e) {
            commit = CompletableFuture.failedFuture(e);
        }
        connection.await(commit, (queueId, failure) -> {
            if (failure == null) {
                tx.writer = null;
                reply(SmtpReply.of(250, "2.0.0", "Ok: queued as " + queueId));
                return;
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            // a failed commit has discarded the message itself (no abort: this may run on the
            // spool's committer, which must not wait for anything)
            LOG.warn("{} commit failed: {}", connection.id(), cause.toString());
            tx.writer = null;
            reply(SmtpReply.UNAVAILABLE);
        });
    }

    /** Aborts the spool entry (the spool may delete a file: on a worker), then replies. */
    private void abortThen(Transaction tx, Runnable answer) {
        connection.offload(() -> {
            tx.abort();
            answer.run();
        });
    }

    private void rset(String argument) {
        if (!argument.isBlank()) {
            error(SmtpReply.NO_PARAMETERS);
            return;
        }
        abortTransaction();
        reply(SmtpReply.OK);
    }

    private void vrfy(String argument) {
        if (argument.isBlank()) {
            error(SmtpReply.of(501, "5.5.4", "Syntax: VRFY address"));
            return;
        }
        if (!settings.vrfyEnabled()) {
            reply(SmtpReply.VRFY_CANNOT);
            return;
        }
        Optional<UserDirectory> directory = services.directory();
        if (directory.isEmpty()) {
            reply(SmtpReply.UNAVAILABLE);
            return;
        }
        String text = argument.trim();
        try {
            MailAddress address = text.startsWith("<") ? MailAddress.parsePath(text).orElseThrow()
                    : MailAddress.parse(text);
            if (directory.get().isLocalDomain(address.domain()) && !directory.get().resolve(address).isUnknown()) {
                reply(SmtpReply.of(250, "2.1.5", address.toPath()));
            } else {
                error(SmtpReply.of(550, "5.1.1", "User unknown"));
            }
        } catch (RuntimeException e) {
            error(SmtpReply.of(501, "5.1.3", "Bad address syntax"));
        }
    }

    private void etrn(String argument) {
        if (!settings.etrnEnabled()) {
            error(SmtpReply.NOT_IMPLEMENTED);
            return;
        }
        if (state == State.GREETED) {
            error(SmtpReply.SEND_HELO_FIRST);
            return;
        }
        if (transaction != null) {
            error(SmtpReply.of(503, "5.5.1", "ETRN not allowed during a mail transaction"));
            return;
        }
        String node = argument.trim();
        if (node.startsWith("@") || node.startsWith("#")) {
            node = node.substring(1); // RFC 1985 §5: "@" subdomains, "#" a queue name
        }
        if (!DOMAIN.matcher(node).matches()) {
            error(SmtpReply.of(501, "5.5.4", "Syntax: ETRN domain"));
            return;
        }
        if (!mayRelay()) {
            // a queue run costs work: only for clients that may send through us anyway
            error(SmtpReply.of(459, "4.7.1", "Node " + node + " not allowed: client not authorized"));
            return;
        }
        Optional<MailQueue> queue = services.queue();
        if (queue.isEmpty()) {
            reply(SmtpReply.of(458, "4.3.0", "Unable to queue messages for node " + node));
            return;
        }
        int started = queue.get().retryDomain(node.toLowerCase(Locale.ROOT));
        reply(started == 0 ? SmtpReply.of(251, "2.0.0", "OK, no messages waiting for node " + node)
                : SmtpReply.of(253, "2.0.0", "OK, " + started + " pending messages for node " + node + " started"));
    }

    // ---- helpers ----

    private Origin origin() {
        return new Origin(connection.id(), settings.name(), connection.remoteAddress(), heloName, authIdentity,
                connection.tlsDescription());
    }

    private Envelope envelope(Transaction tx) {
        return new Envelope(tx.sender, tx.recipients, origin(), tx.parameters);
    }

    /** Writes the verdict's reply when it refuses; true when it did. */
    private boolean refused(Verdict verdict) {
        if (verdict instanceof Verdict.Reject r) {
            error(SmtpReply.of(r.reply().code(), r.reply().status(), r.reply().text()));
            return true;
        }
        if (verdict instanceof Verdict.TempFail t) {
            reply(SmtpReply.of(t.reply().code(), t.reply().status(), t.reply().text()));
            return true;
        }
        return false;
    }

    private void reply(SmtpReply reply) {
        connection.writeLine(reply.line());
    }

    /** A client error: replied, counted, and past the limit the session ends (RFC 5321 §4.3.2 421). */
    private void error(SmtpReply reply) {
        reply(reply);
        if (++errors >= settings.maxErrors()) {
            closeWith(SmtpReply.of(421, "4.7.0", settings.hostname() + " Too many errors, closing connection"));
        }
    }

    private void closeWith(SmtpReply reply) {
        reply(reply);
        state = State.CLOSED;
        abortTransaction();
        connection.close();
    }

    private void abortTransaction() {
        Transaction tx = transaction;
        if (tx != null) {
            transaction = null;
            if (tx.writer != null) {
                connection.offload(tx::abort); // the spool may delete a file
            }
        }
    }
}
