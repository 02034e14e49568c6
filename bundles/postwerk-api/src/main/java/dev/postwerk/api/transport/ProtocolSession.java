package dev.postwerk.api.transport;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * One connection's protocol state machine. The transport calls these methods one at a time, in
 * order; while a call runs, the connection's further input waits. For a plain
 * {@link ProtocolHandler} the calls come on a bounded worker pool (never on a network I/O
 * thread), so they may block on disk, DNS or password hashing. For a
 * {@link NonBlockingProtocolHandler} they come on the I/O thread, and the session hands
 * blocking work to {@link Connection#offload}.
 */
@ConsumerType
public interface ProtocolSession {

    /** The connection is open (for implicit TLS, encryption is set up): write the greeting. */
    void started();

    /**
     * One line of input in line mode, without its line end. A line that ended with a bare LF, or
     * contains a bare CR, is delivered with {@link InputLine#hasBareLineEnd()} set so the
     * protocol can refuse it instead of guessing.
     */
    void lineReceived(InputLine line);

    /** A line longer than the listener's limit was discarded up to its end; {@code octets} were dropped. */
    void lineTooLong(long octets);

    /** No input for the idle timeout: write the goodbye; the transport closes afterwards. */
    default void idleTimeout() {
    }

    /** The listener is closing (shutdown, reconfiguration, bundle stop): write the goodbye. */
    default void shutdown() {
    }

    /** The connection is closed (by either side); release what the session holds. */
    default void closed() {
    }
}
