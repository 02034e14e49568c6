package dev.postwerk.api.transport;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A protocol whose sessions run on the network I/O thread that read their input, and hand
 * anything that may block (disk, fsync, DNS, the directory, filters, password hashing) to a
 * worker with {@link Connection#offload}. Each hand-off between threads costs a wake-up and a
 * context switch; a session that answers most of its commands without blocking (SMTP: EHLO,
 * MAIL, DATA and the message's lines) saves several per message by not handing off at all.
 *
 * <p>For such a handler, {@link #open}, {@link #refuse} and every {@link ProtocolSession} and
 * {@link ContentSink} callback may run on an I/O thread, so none of them may block, and
 * {@link Connection#output()} (which waits for slow clients) may only be used from offloaded
 * work. Sessions of a plain {@link ProtocolHandler} always run on workers.
 */
@ConsumerType
public interface NonBlockingProtocolHandler extends ProtocolHandler {
}
