package dev.postwerk.transport.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

import org.apache.mina.core.filterchain.IoFilter;
import org.apache.mina.core.filterchain.IoFilterAdapter;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.service.IoProcessor;
import org.apache.mina.core.session.IdleStatus;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.FilterEvent;
import org.apache.mina.filter.ssl.SslEvent;
import org.apache.mina.filter.ssl.SslFilter;
import org.apache.mina.transport.socket.nio.NioSession;
import org.apache.mina.transport.socket.nio.NioSocketAcceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.postwerk.api.transport.Listener;
import dev.postwerk.api.transport.ListenerConfig;
import dev.postwerk.api.transport.ProtocolHandler;
import dev.postwerk.api.transport.ProtocolSession;
import dev.postwerk.api.transport.Refusal;
import dev.postwerk.api.transport.TlsMode;
import dev.postwerk.transport.internal.tls.TlsContexts;

/** One bound port on a MINA NIO acceptor, sharing the factory's I/O processors and workers. */
final class MinaListener implements Listener {

    private static final Logger LOG = LoggerFactory.getLogger(MinaListener.class);
    static final String TLS_FILTER = "tls";
    static final String TLS_MARK_FILTER = "tls-mark";
    private static final String CONNECTION = "postwerk.connection";
    private static final Duration GOODBYE_GRACE = Duration.ofSeconds(5);
    private static final AtomicLong IDS = new AtomicLong();

    /** Marks input that came out of the TLS filter (see {@link MinaConnection#received}). */
    static final IoFilter TLS_MARK = new IoFilterAdapter() {
        @Override
        public void messageReceived(NextFilter next, IoSession session, Object message) {
            next.messageReceived(session, new MinaConnection.Decrypted((org.apache.mina.core.buffer.IoBuffer) message));
        }
    };

    private final ListenerConfig config;
    private final ProtocolHandler handler;
    private final Executor workers;
    private final ScheduledExecutorService timers;
    private final SSLContext sslContext;
    private final NioSocketAcceptor acceptor;
    private final long inputQueueLimit;
    private final Runnable onClose;
    private final AtomicInteger connections = new AtomicInteger();
    private final Map<InetAddress, Integer> perClient = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final InetSocketAddress bound;

    MinaListener(ListenerConfig config, ProtocolHandler handler, IoProcessor<NioSession> processors, Executor workers,
            ScheduledExecutorService timers, SSLContext sslContext, long inputQueueLimit, Runnable onClose)
            throws IOException {
        this.config = config;
        this.handler = handler;
        this.workers = workers;
        this.timers = timers;
        this.sslContext = sslContext;
        this.inputQueueLimit = inputQueueLimit;
        this.onClose = onClose;
        this.acceptor = new NioSocketAcceptor(processors);
        acceptor.setReuseAddress(true);
        acceptor.setBacklog(1024);
        // sessions are ended by close() with the protocol's goodbye, not cut by unbind
        acceptor.setCloseOnDeactivation(false);
        acceptor.getSessionConfig().setTcpNoDelay(true);
        // MINA adapts each session's read buffer: halved after every read that fills less than
        // half of it, down to the minimum (64 octets by default). After a few short commands, a
        // 4 KiB message then arrived in 64, 128, 256, ... octet reads: seven reads and seven trips
        // through the filter chain and framer where one does. Reads start at 8 KiB, never go
        // below 2 KiB, and grow to 64 KiB for big messages; each read's buffer is short-lived.
        acceptor.getSessionConfig().setMinReadBufferSize(2048);
        acceptor.getSessionConfig().setReadBufferSize(8192);
        acceptor.getSessionConfig().setMaxReadBufferSize(65536);
        acceptor.getSessionConfig().setIdleTime(IdleStatus.BOTH_IDLE, (int) Math.max(1, config.idleTimeout().toSeconds()));
        if (config.tlsMode() == TlsMode.IMPLICIT) {
            acceptor.getFilterChain().addLast(TLS_FILTER, newSslFilter());
            acceptor.getFilterChain().addLast(TLS_MARK_FILTER, TLS_MARK);
        }
        acceptor.setHandler(new Handler());
        try {
            acceptor.bind(socketAddress(config));
        } catch (IOException e) {
            acceptor.dispose();
            throw new IOException("cannot bind " + config.name() + " to " + config.host() + ":" + config.port() + ": "
                    + e.getMessage(), e);
        }
        this.bound = acceptor.getLocalAddress();
        LOG.info("Listener {} bound to {} (tls={})", config.name(), bound, config.tlsMode());
    }

    private static InetSocketAddress socketAddress(ListenerConfig config) {
        String host = config.host().trim();
        if (host.isEmpty() || host.equals("*")) {
            return new InetSocketAddress(config.port());
        }
        return new InetSocketAddress(host, config.port());
    }

    SslFilter newSslFilter() {
        if (sslContext == null) {
            throw new IllegalStateException("listener " + config.name() + " has no TLS");
        }
        SslFilter filter = new SslFilter(sslContext);
        filter.setEnabledProtocols(TlsContexts.protocols(sslContext));
        filter.setEnabledCipherSuites(TlsContexts.cipherSuites(sslContext));
        return filter;
    }

    ProtocolHandler handler() {
        return handler;
    }

    @Override
    public ListenerConfig config() {
        return config;
    }

    @Override
    public InetSocketAddress address() {
        return bound;
    }

    @Override
    public int connections() {
        return connections.get();
    }

    /** Output written but not yet sent, over all connections (tests of back-pressure). */
    long queuedOutputBytes() {
        long sum = 0;
        for (IoSession s : acceptor.getManagedSessions().values()) {
            sum += s.getScheduledWriteBytes();
        }
        return sum;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        acceptor.unbind();
        for (IoSession session : acceptor.getManagedSessions().values()) {
            MinaConnection connection = (MinaConnection) session.getAttribute(CONNECTION);
            if (connection != null) {
                connection.enqueue(() -> {
                    ProtocolSession protocol = connection.protocol();
                    if (protocol != null) {
                        protocol.shutdown();
                    }
                    connection.close();
                });
            } else {
                session.closeNow();
            }
        }
        Instant deadline = Instant.now().plus(GOODBYE_GRACE);
        while (acceptor.getManagedSessionCount() > 0 && Instant.now().isBefore(deadline)) {
            try {
                Thread.sleep(20); // bounded wait for goodbyes to flush; not test synchronisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (IoSession session : acceptor.getManagedSessions().values()) {
            session.closeNow();
        }
        acceptor.dispose(false);
        onClose.run();
        LOG.info("Listener {} on {} closed", config.name(), bound);
    }

    private final class Handler extends IoHandlerAdapter {

        @Override
        public void sessionCreated(IoSession session) {
            String id = Long.toString(IDS.incrementAndGet(), 36) + Long.toString(System.nanoTime() & 0xfffff, 36);
            MinaConnection connection = new MinaConnection(session, MinaListener.this, config.name() + "-" + id, workers,
                    timers, inputQueueLimit);
            session.setAttribute(CONNECTION, connection);
            InetAddress client = ((InetSocketAddress) session.getRemoteAddress()).getAddress();
            int total = connections.incrementAndGet();
            int fromClient = perClient.merge(client, 1, Integer::sum);
            Refusal refusal = closed.get() || total > config.maxConnections() ? Refusal.TOO_MANY_CONNECTIONS
                    : fromClient > config.maxConnectionsPerClient() ? Refusal.TOO_MANY_FROM_CLIENT : null;
            if (refusal != null) {
                session.setAttribute(Refusal.class, refusal);
            }
        }

        @Override
        public void sessionOpened(IoSession session) {
            MinaConnection connection = (MinaConnection) session.getAttribute(CONNECTION);
            Refusal refusal = (Refusal) session.getAttribute(Refusal.class);
            if (config.tlsMode() == TlsMode.IMPLICIT) {
                return; // the session starts once the handshake is done (event below)
            }
            begin(connection, refusal);
        }

        @Override
        public void event(IoSession session, FilterEvent event) {
            if (event == SslEvent.SECURED && config.tlsMode() == TlsMode.IMPLICIT) {
                MinaConnection connection = (MinaConnection) session.getAttribute(CONNECTION);
                if (!connection.isClosing()) {
                    begin(connection, (Refusal) session.getAttribute(Refusal.class));
                }
            }
        }

        private void begin(MinaConnection connection, Refusal refusal) {
            if (!connection.markBegun()) {
                return; // a TLS 1.2 renegotiation secures the session again; it starts once
            }
            connection.enqueueOnIoThread(() -> {
                if (refusal != null) {
                    LOG.info("{} refused: {}", connection, refusal);
                    handler.refuse(connection, refusal);
                    connection.close();
                } else {
                    LOG.debug("{} connected", connection);
                    connection.start(handler.open(connection));
                }
            });
        }

        @Override
        public void messageReceived(IoSession session, Object message) {
            MinaConnection connection = (MinaConnection) session.getAttribute(CONNECTION);
            if (session.getAttribute(Refusal.class) == null && !connection.isClosing()) {
                connection.received(message);
            }
        }

        @Override
        public void messageSent(IoSession session, Object message) {
            MinaConnection connection = (MinaConnection) session.getAttribute(CONNECTION);
            if (connection != null) {
                connection.outputSent();
            }
        }

        @Override
        public void sessionIdle(IoSession session, IdleStatus status) {
            MinaConnection connection = (MinaConnection) session.getAttribute(CONNECTION);
            if (connection.isClosing()) {
                session.closeNow();
                return;
            }
            connection.enqueueOnIoThread(() -> {
                ProtocolSession protocol = connection.protocol();
                LOG.debug("{} idle timeout", connection);
                if (protocol != null) {
                    protocol.idleTimeout();
                }
                connection.close();
            });
        }

        @Override
        public void sessionClosed(IoSession session) {
            MinaConnection connection = (MinaConnection) session.getAttribute(CONNECTION);
            connections.decrementAndGet();
            InetAddress client = ((InetSocketAddress) session.getRemoteAddress()).getAddress();
            perClient.computeIfPresent(client, (k, count) -> count <= 1 ? null : count - 1);
            connection.enqueueOnIoThread(() -> {
                LOG.debug("{} closed", connection);
                ProtocolSession protocol = connection.protocol();
                if (protocol != null) {
                    protocol.closed();
                }
            });
        }

        @Override
        public void exceptionCaught(IoSession session, Throwable cause) {
            if (cause instanceof IOException) {
                // resets, broken pipes and failed handshakes are the client's business
                LOG.debug("{}: {}", session.getRemoteAddress(), cause.toString());
            } else if (cause instanceof SSLException) {
                LOG.debug("{}: TLS failed: {}", session.getRemoteAddress(), cause.toString());
            } else {
                LOG.warn("{}: unexpected error", session.getRemoteAddress(), cause);
            }
            session.closeNow();
        }
    }
}
