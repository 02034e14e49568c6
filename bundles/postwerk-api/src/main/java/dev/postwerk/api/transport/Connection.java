package dev.postwerk.api.transport;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A client connection as a protocol sees it. Writes are thread-safe (an IDLE push may come from
 * another thread) and go out in the order they were made. Reads are driven by the transport,
 * which calls the {@link ProtocolSession}; the read-mode methods below change how the
 * <em>following</em> input is framed, effective immediately even for input already received
 * (pipelined BDAT chunks and IMAP LITERAL+ work).
 */
@ProviderType
public interface Connection {

    /** A short id unique within this server run, for logs and trace headers. */
    String id();

    /** The listener's name. */
    String listenerName();

    InetSocketAddress remoteAddress();

    InetSocketAddress localAddress();

    /** True when TLS is set up on this connection. */
    boolean isSecure();

    /** TLS protocol and cipher suite, e.g. {@code TLSv1.3 TLS_AES_256_GCM_SHA384}; empty in plaintext. */
    Optional<String> tlsDescription();

    /** True when the listener offers STARTTLS and it has not been done yet. */
    boolean canStartTls();

    /** Writes text as UTF-8, as is. */
    void write(CharSequence text);

    /** Writes text as UTF-8 followed by CRLF. */
    void writeLine(CharSequence line);

    /**
     * A stream for large responses (message content). Data is sent in chunks as it is written
     * and when the stream is flushed; writing blocks while too much output is waiting for a
     * slow client. Closing the stream flushes it and leaves the connection open.
     */
    OutputStream output();

    /** The next {@code count} octets of input go to {@code sink} (IMAP literal, BDAT chunk), then line mode resumes. */
    void readOctets(long count, ContentSink sink);

    /**
     * Input up to the line {@code .} goes to {@code sink}, dot-unstuffed (SMTP DATA, RFC 5321
     * §4.5.2). The end is CRLF.CRLF only: a bare LF or CR never starts or ends a line here
     * (SMTP smuggling). Octets past {@code maxOctets} are counted, not delivered.
     *
     * @param normalizeBareLineEnds true to deliver each bare CR or LF as CRLF; false to deliver them as they came
     */
    void readDotTerminated(long maxOctets, boolean normalizeBareLineEnds, ContentSink sink);

    /**
     * Writes {@code goAhead} (the reply that allows TLS, e.g. {@code 220 2.0.0 Ready to start TLS})
     * in plaintext and starts TLS as the server side. Any input the client sent after the
     * STARTTLS command, before the handshake, is discarded (CVE-2011-0411 class of command
     * injection). Call from {@link ProtocolSession#lineReceived}.
     *
     * @param goAhead the reply line, without CRLF
     * @throws IllegalStateException when {@link #canStartTls()} is false
     */
    void startTls(CharSequence goAhead);

    /**
     * Runs {@code then} on this session's worker after {@code delay}, holding the connection's
     * input meanwhile (it is processed after {@code then}), without holding a thread: how a
     * failed login's reply is delayed (brute-force protection) without letting an attacker tie
     * up the worker pool. Call from the session's own callbacks.
     */
    void delay(Duration delay, Runnable then);

    /** Changes the idle timeout of this connection (e.g. longer while IMAP IDLE waits). */
    void setIdleTimeout(Duration timeout);

    /**
     * Runs {@code work} on a worker thread, off the network I/O thread, and holds this
     * connection's input until it has run: the session's next callback comes after it, on the
     * worker. A session of a {@link NonBlockingProtocolHandler} calls it for anything that may
     * block, as the last thing its callback does. Called on a worker (any other session, or
     * work already offloaded), it runs {@code work} at once. Several calls from one callback run
     * in order.
     *
     * @since 1.1
     */
    void offload(Runnable work);

    /**
     * Holds this connection's input until {@code stage} completes, then calls {@code then} with
     * its result (or its failure), holding no thread meanwhile: how a session waits for a group
     * commit's fsync. {@code then} may run on the thread that completed the stage, so it must not
     * block; the session's next callback comes after it. Call it as the last thing a callback
     * does; several calls (and {@link #offload}s) from one callback run in order.
     *
     * @since 1.1
     */
    <T> void await(CompletionStage<T> stage, BiConsumer<? super T, ? super Throwable> then);

    /** Closes the connection once what was written so far is sent. */
    void close();
}
