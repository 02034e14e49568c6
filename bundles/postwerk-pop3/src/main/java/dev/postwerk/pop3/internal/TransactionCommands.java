package dev.postwerk.pop3.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.AbstractList;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.postwerk.api.mail.MessageContent;
import dev.postwerk.api.store.StoreException;

/** The TRANSACTION state's commands (RFC 1939 §5 and §7), QUIT aside. */
final class TransactionCommands {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionCommands.class);
    /** Longer numbers are no message number of ours (and would overflow). */
    private static final int MAX_DIGITS = 18;

    private TransactionCommands() {
    }

    static void stat(Pop3Session session, Maildrop maildrop, Request request) {
        if (noArguments(session, request)) {
            session.reply(Reply.STAT, maildrop.liveCount(), maildrop.liveOctets());
        }
    }

    static void list(Pop3Session session, Maildrop maildrop, Request request) {
        List<String> args = request.arguments();
        if (args.isEmpty()) {
            session.multiLine(Reply.SCAN_LISTING_FOLLOWS, new Object[] {maildrop.liveCount(), maildrop.liveOctets()},
                    lazily(maildrop, n -> n + " " + maildrop.octets(n)));
        } else if (args.size() == 1) {
            message(session, maildrop, args.get(0))
                    .ifPresent(n -> session.reply(Reply.SCAN_LISTING, n, maildrop.octets(n)));
        } else {
            session.error(Reply.SYNTAX, "LIST takes at most one message number");
        }
    }

    static void uidl(Pop3Session session, Maildrop maildrop, Request request) {
        List<String> args = request.arguments();
        if (args.isEmpty()) {
            session.multiLine(Reply.UNIQUE_ID_LISTING_FOLLOWS, new Object[0],
                    lazily(maildrop, n -> n + " " + maildrop.uniqueId(n)));
        } else if (args.size() == 1) {
            message(session, maildrop, args.get(0))
                    .ifPresent(n -> session.reply(Reply.UNIQUE_ID_LISTING, n, maildrop.uniqueId(n)));
        } else {
            session.error(Reply.SYNTAX, "UIDL takes at most one message number");
        }
    }

    static void retr(Pop3Session session, Maildrop maildrop, Request request) {
        List<String> args = request.arguments();
        if (args.size() != 1) {
            session.error(Reply.SYNTAX, "RETR takes one message number");
            return;
        }
        OptionalInt n = message(session, maildrop, args.get(0));
        if (n.isPresent() && send(session, maildrop, n.getAsInt(), OptionalLong.empty())) {
            maildrop.markRetrieved(n.getAsInt());
        }
    }

    static void top(Pop3Session session, Maildrop maildrop, Request request) {
        List<String> args = request.arguments();
        if (args.size() != 2) {
            session.error(Reply.SYNTAX, "TOP takes a message number and a number of lines");
            return;
        }
        OptionalLong lines = number(args.get(1));
        if (lines.isEmpty()) {
            session.error(Reply.SYNTAX, "the number of lines must be a non-negative number");
            return;
        }
        OptionalInt n = message(session, maildrop, args.get(0));
        if (n.isPresent()) {
            send(session, maildrop, n.getAsInt(), lines);
        }
    }

    static void dele(Pop3Session session, Maildrop maildrop, Request request) {
        List<String> args = request.arguments();
        if (args.size() != 1) {
            session.error(Reply.SYNTAX, "DELE takes one message number");
            return;
        }
        message(session, maildrop, args.get(0)).ifPresent(n -> {
            maildrop.delete(n); // only marked: removal happens at QUIT (RFC 1939 §6)
            session.reply(Reply.DELETED, n);
        });
    }

    static void rset(Pop3Session session, Maildrop maildrop, Request request) {
        if (noArguments(session, request)) {
            maildrop.reset();
            session.reply(Reply.RESET, maildrop.liveCount(), maildrop.liveOctets());
        }
    }

    static void noop(Pop3Session session, Request request) {
        if (noArguments(session, request)) {
            session.reply(Reply.NOOP);
        }
    }

    /**
     * Streams a message (RETR) or its top (TOP) as a multi-line response: never whole in memory,
     * the connection's output making this worker wait while a slow client catches up.
     *
     * @return true once the whole response was written
     */
    private static boolean send(Pop3Session session, Maildrop maildrop, int n, OptionalLong topLines) {
        InputStream in;
        try {
            MessageContent content = maildrop.content(n);
            in = content.openStream();
        } catch (StoreException e) {
            if (e.reason() == StoreException.Reason.NOT_FOUND) {
                session.reply(Reply.MESSAGE_VANISHED, n); // expunged by an IMAP session meanwhile
            } else {
                session.reply(Reply.STORE_UNAVAILABLE);
            }
            return false;
        } catch (NoSuchFileException e) {
            session.reply(Reply.MESSAGE_VANISHED, n);
            return false;
        } catch (IOException e) {
            LOG.warn("{} cannot read message {} of {}: {}", session.connection().id(), n, maildrop.user(), e.toString());
            session.reply(Reply.READ_FAILED, n);
            return false;
        }
        String status = topLines.isPresent() ? Reply.TOP_FOLLOWS.line() : Reply.MESSAGE_FOLLOWS.line(maildrop.octets(n));
        try (InputStream source = topLines.isPresent() ? new TopInputStream(in, topLines.getAsLong()) : in;
                OutputStream out = session.output()) {
            out.write(status.getBytes(StandardCharsets.US_ASCII));
            out.write('\r');
            out.write('\n');
            DotStuffingOutputStream body = new DotStuffingOutputStream(out);
            source.transferTo(body);
            body.finish();
            return true;
        } catch (IOException e) {
            // "+OK" is out: no -ERR can follow. The client sees the response cut short and,
            // since the session ends without UPDATE, nothing is deleted.
            LOG.debug("{} RETR/TOP of message {} broke off: {}", session.connection().id(), n, e.toString());
            session.end();
            return false;
        }
    }

    /** A message number naming a message of the snapshot that is not marked deleted, or the error said. */
    private static OptionalInt message(Pop3Session session, Maildrop maildrop, String arg) {
        OptionalLong number = number(arg);
        if (number.isEmpty()) {
            session.error(Reply.SYNTAX, "message number expected");
            return OptionalInt.empty();
        }
        if (!maildrop.inRange(number.getAsLong())) {
            session.error(Reply.NO_SUCH_MESSAGE);
            return OptionalInt.empty();
        }
        int n = (int) number.getAsLong();
        if (maildrop.isDeleted(n)) {
            session.error(Reply.MESSAGE_DELETED, n);
            return OptionalInt.empty();
        }
        return OptionalInt.of(n);
    }

    /** Decimal digits only: no sign, no spaces (RFC 1939 §3 arguments). */
    private static OptionalLong number(String arg) {
        if (arg.isEmpty() || arg.length() > MAX_DIGITS) {
            return OptionalLong.empty();
        }
        for (int i = 0; i < arg.length(); i++) {
            char c = arg.charAt(i);
            if (c < '0' || c > '9') {
                return OptionalLong.empty();
            }
        }
        return OptionalLong.of(Long.parseLong(arg));
    }

    private static boolean noArguments(Pop3Session session, Request request) {
        if (request.arguments().isEmpty()) {
            return true;
        }
        session.error(Reply.SYNTAX, request.verb() + " takes no arguments");
        return false;
    }

    /** The listing lines of the messages not marked deleted, made as they are written. */
    private static List<String> lazily(Maildrop maildrop, IntFunction<String> line) {
        int[] live = IntStream.rangeClosed(1, maildrop.size()).filter(n -> !maildrop.isDeleted(n)).toArray();
        return new AbstractList<>() {
            @Override
            public String get(int index) {
                return line.apply(live[index]);
            }

            @Override
            public int size() {
                return live.length;
            }
        };
    }
}
