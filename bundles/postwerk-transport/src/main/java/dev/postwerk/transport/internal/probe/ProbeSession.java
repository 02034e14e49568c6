package dev.postwerk.transport.internal.probe;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.postwerk.api.transport.Connection;
import dev.postwerk.api.transport.ContentSink;
import dev.postwerk.api.transport.ContentSummary;
import dev.postwerk.api.transport.InputLine;
import dev.postwerk.api.transport.ProtocolSession;

/**
 * The probe's line protocol, one command per line:
 * {@code NOOP}, {@code ECHO text}, {@code INFO}, {@code STARTTLS}, {@code OCTETS n} (then n
 * octets), {@code DATA} (then a dot-terminated block), {@code WAIT ms} (a delayed reply, input
 * held meanwhile), {@code SLEEP ms} (blocks a thread: handed to a worker with
 * {@link Connection#offload}), {@code DATA OFFLOAD} (each chunk and the end handed to a worker),
 * {@code THREAD} (names the thread that runs the command), {@code AWAIT ms} (a reply once a stage
 * completes on another thread, no thread held meanwhile), {@code AWAITWORK ms} (the same, then
 * offloaded work), {@code QUIT}. Replies start with
 * {@code OK}, {@code BAD} or {@code BYE}; block replies give the octet count and SHA-256 of
 * what the transport delivered, so tests can check framing byte for byte.
 */
final class ProbeSession implements ProtocolSession {

    private final Connection connection;
    private final long maxBlock;

    ProbeSession(Connection connection, long maxBlock) {
        this.connection = connection;
        this.maxBlock = maxBlock;
    }

    @Override
    public void started() {
        connection.writeLine("* OK Postwerk transport probe ready" + (connection.isSecure() ? " (TLS)" : ""));
    }

    @Override
    public void lineReceived(InputLine line) {
        if (line.hasBareLineEnd()) {
            connection.writeLine("BAD bare CR or LF in command line");
            return;
        }
        String text = line.text();
        int space = text.indexOf(' ');
        String verb = (space < 0 ? text : text.substring(0, space)).toUpperCase(Locale.ROOT);
        String argument = space < 0 ? "" : text.substring(space + 1);
        switch (verb) {
            case "NOOP" -> connection.writeLine("OK");
            case "ECHO" -> connection.writeLine("OK " + argument);
            case "INFO" -> connection.writeLine("OK secure=" + connection.isSecure() + " tls="
                    + connection.tlsDescription().orElse("none").replace(' ', '/') + " listener="
                    + connection.listenerName());
            case "STARTTLS" -> {
                if (connection.canStartTls()) {
                    connection.startTls("OK begin TLS");
                } else {
                    connection.writeLine("BAD TLS not available");
                }
            }
            case "OCTETS" -> {
                long n;
                try {
                    n = Long.parseLong(argument.trim());
                } catch (NumberFormatException e) {
                    connection.writeLine("BAD OCTETS needs a count");
                    return;
                }
                if (n < 0 || n > maxBlock) {
                    connection.writeLine("BAD block too large");
                    return;
                }
                connection.readOctets(n, new DigestSink());
            }
            case "DATA" -> {
                connection.writeLine("OK send data, end with <CRLF>.<CRLF>");
                String mode = argument.trim().toUpperCase(Locale.ROOT);
                ContentSink sink = mode.equals("OFFLOAD") ? new OffloadingSink(new DigestSink()) : new DigestSink();
                connection.readDotTerminated(maxBlock, mode.equals("NORMALIZE"), sink);
            }
            case "SLEEP" -> {
                OptionalLong parsed = millis("SLEEP", argument);
                if (parsed.isEmpty()) {
                    return;
                }
                long ms = Math.min(parsed.getAsLong(), 10_000);
                connection.offload(() -> {
                    try {
                        Thread.sleep(ms); // stands for blocking work: disk, DNS, a filter
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    connection.writeLine("OK slept " + ms + " on " + Thread.currentThread().getName());
                });
            }
            case "THREAD" -> connection.writeLine("OK " + Thread.currentThread().getName());
            case "AWAIT", "AWAITWORK" -> {
                OptionalLong parsed = millis("AWAIT", argument);
                if (parsed.isEmpty()) {
                    return;
                }
                long ms = Math.min(parsed.getAsLong(), 10_000);
                // stands for a group commit: a stage another thread completes later
                CompletableFuture<Long> stage = CompletableFuture.supplyAsync(() -> ms,
                        CompletableFuture.delayedExecutor(ms, TimeUnit.MILLISECONDS));
                connection.await(stage, (value, failure) -> {
                    if (verb.equals("AWAIT")) {
                        connection.writeLine("OK awaited " + value);
                    } else {
                        // AWAITWORK: blocking work after the stage goes to a worker, never to
                        // the thread that completed the stage
                        connection.offload(() -> connection.writeLine("OK awaited " + value + " then worked on "
                                + Thread.currentThread().getName()));
                    }
                });
            }
            case "WAIT" -> {
                OptionalLong parsed = millis("WAIT", argument);
                if (parsed.isEmpty()) {
                    return;
                }
                long ms = parsed.getAsLong();
                connection.delay(java.time.Duration.ofMillis(Math.min(ms, 10_000)),
                        () -> connection.writeLine("OK waited " + ms));
            }
            case "QUIT" -> {
                connection.writeLine("BYE");
                connection.close();
            }
            default -> connection.writeLine("BAD unknown command");
        }
    }

    /** The argument as milliseconds; empty after answering BAD when it is not a number. */
    private OptionalLong millis(String verb, String argument) {
        try {
            return OptionalLong.of(Long.parseLong(argument.trim()));
        } catch (NumberFormatException e) {
            connection.writeLine("BAD " + verb + " needs milliseconds");
            return OptionalLong.empty();
        }
    }

    @Override
    public void lineTooLong(long octets) {
        connection.writeLine("BAD line too long (" + octets + " octets)");
    }

    @Override
    public void idleTimeout() {
        connection.writeLine("BYE idle timeout");
    }

    @Override
    public void shutdown() {
        connection.writeLine("BYE shutting down");
    }

    /** Hands each chunk (copied: the buffer is only valid during the call) and the end to a worker. */
    private final class OffloadingSink implements ContentSink {
        private final ContentSink target;

        OffloadingSink(ContentSink target) {
            this.target = target;
        }

        @Override
        public void data(ByteBuffer chunk) {
            ByteBuffer copy = ByteBuffer.allocate(chunk.remaining()).put(chunk).flip();
            connection.offload(() -> target.data(copy));
        }

        @Override
        public void end(ContentSummary summary) {
            connection.offload(() -> target.end(summary));
        }
    }

    private final class DigestSink implements ContentSink {
        private final MessageDigest digest;

        DigestSink() {
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void data(ByteBuffer chunk) {
            digest.update(chunk);
        }

        @Override
        public void end(ContentSummary summary) {
            connection.writeLine("OK octets=" + summary.octets() + " over=" + summary.overLimit() + " bare="
                    + summary.bareLineEnds() + " longest=" + summary.longestLine() + " sha256="
                    + HexFormat.of().formatHex(digest.digest()));
        }
    }
}
