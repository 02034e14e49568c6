package dev.postwerk.api.transport;

import java.nio.ByteBuffer;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives a byte-counted or dot-terminated block of input as it arrives (IMAP literal, SMTP
 * BDAT chunk or DATA), so a message is never held whole in memory. Called on the session's
 * worker like {@link ProtocolSession}; the sink handles its own I/O errors (and reports them in
 * its reply once {@link #end} arrives).
 */
@ConsumerType
public interface ContentSink {

    /** The next octets; the buffer is only valid during the call. */
    void data(ByteBuffer chunk);

    /** The block is complete; the connection is back in line mode. */
    void end(ContentSummary summary);
}
