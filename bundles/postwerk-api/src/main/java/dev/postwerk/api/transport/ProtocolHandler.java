package dev.postwerk.api.transport;

import org.osgi.annotation.versioning.ConsumerType;

/** A protocol as the transport sees it: it makes one {@link ProtocolSession} per connection. */
@ConsumerType
public interface ProtocolHandler {

    /** A connection was accepted; return its session. Called before any input is read. */
    ProtocolSession open(Connection connection);

    /**
     * A connection is refused by a limit before any session starts: write the protocol's
     * refusal (SMTP {@code 421 4.7.0}, IMAP {@code * BYE}, POP3 {@code -ERR [SYS/TEMP]}); the
     * transport closes the connection afterwards. The default says nothing.
     */
    default void refuse(Connection connection, Refusal reason) {
    }
}
