package dev.postwerk.transport.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import javax.net.ssl.SSLSession;

import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.filterchain.IoFilterChain;
import org.apache.mina.core.future.WriteFuture;
import org.apache.mina.core.session.IdleStatus;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.DefaultWriteRequest;
import org.apache.mina.filter.ssl.SslFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.postwerk.api.transport.Connection;
import dev.postwerk.api.transport.ContentSink;
import dev.postwerk.api.transport.InputLine;
import dev.postwerk.api.transport.NonBlockingProtocolHandler;
import dev.postwerk.api.transport.ProtocolHandler;
import dev.postwerk.api.transport.ProtocolSession;
import dev.postwerk.api.transport.TlsMode;
import dev.postwerk.transport.internal.codec.InputFramer;

/**
 * One accepted connection. Input arrives on a MINA I/O thread and is queued; the queue is
 * drained one task at a time per connection (an actor), feeding the framer that calls the
 * protocol, so protocol code never runs concurrently for one connection and no thread is held by
 * an idle connection.
 *
 * <p>Where the queue is drained depends on the protocol. For a plain {@link ProtocolHandler}, on
 * a worker: protocol code never runs on an I/O thread. For a {@link NonBlockingProtocolHandler},
 * input is drained right on the I/O thread that read it, and the session hands what may block to
 * {@link #offload}: the framer holds the rest of the input, the work runs on a worker, and the
 * same worker goes on draining until the queue is empty; the next input is back on the I/O
 * thread. (A 4 KiB message over SMTP took ~16 thread hand-offs on workers; inline it takes two,
 * for the commit.)
 */
final class MinaConnection implements Connection {

    private static final Logger LOG = LoggerFactory.getLogger(MinaConnection.class);
    private static final int MAX_TASKS_PER_TURN = 64;
    /** Output waiting for a slow client past which {@link #output()} writers wait. */
    private static final long OUTPUT_HIGH_WATER = 1024 * 1024;
    /** Queued replies past which the session stops reading and answering, and below which it goes on. */
    private static final long OUTPUT_PAUSE = 256 * 1024;
    private static final long OUTPUT_RESUME = 64 * 1024;

    /** Input that passed the SslFilter: decrypted, never plaintext injected before the handshake. */
    record Decrypted(IoBuffer buffer) {
    }

    private final IoSession session;
    private final MinaListener listener;
    private final String id;
    private final Executor workers;
    private final ScheduledExecutorService timers;
    private final InputFramer framer;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicLong queuedInput = new AtomicLong();
    /** Too much input queued and not yet framed (see {@link #updateReading}). */
    private final AtomicBoolean inputFull = new AtomicBoolean();
    private final Object readingLock = new Object();
    private final AtomicBoolean begun = new AtomicBoolean();
    /** Tasks that resume the session (after a delay, or once output drained), run before input. */
    private final ConcurrentLinkedQueue<Runnable> resumeTasks = new ConcurrentLinkedQueue<>();
    /** Held by {@link #delay}. */
    private volatile boolean paused;
    /** Held because the client does not read its replies (see {@link #writeBytes}). */
    private final AtomicBoolean outputBlocked = new AtomicBoolean();
    private final long inputQueueLimit;
    /** Drain on the I/O thread (a {@link NonBlockingProtocolHandler}). */
    private final boolean inline;
    /**
     * The thread running this connection's protocol code now (a drain, offloaded work, an
     * awaited stage's continuation), and whether it is a worker, which may block. {@link
     * #offload} runs work at once only on a worker, or on a thread that does not own the actor.
     */
    private volatile Thread owner;
    private volatile boolean ownerMayBlock;
    /**
     * Off-thread steps ({@link #offload}, {@link #await}) asked for by the task running now, in
     * order; started once it returns. Each step calls its continuation when done. Only touched
     * by the thread that owns the actor ({@code scheduled}) at the time.
     */
    private final ArrayDeque<Consumer<Continuation>> handOffs = new ArrayDeque<>();
    /** From the first hand-off until the last is done; the framer is held once for all of them. */
    private boolean handingOff;

    /** What a hand-off step calls when done; {@code onWorker} tells whether its thread may block. */
    private interface Continuation {
        void done(boolean onWorker);
    }

    private volatile boolean tlsActive;
    private volatile boolean closing;
    private ProtocolSession protocol;

    MinaConnection(IoSession session, MinaListener listener, String id, Executor workers,
            ScheduledExecutorService timers, long inputQueueLimit) {
        this.session = session;
        this.listener = listener;
        this.id = id;
        this.workers = workers;
        this.timers = timers;
        this.inputQueueLimit = inputQueueLimit;
        this.tlsActive = listener.config().tlsMode() == TlsMode.IMPLICIT;
        this.inline = listener.handler() instanceof NonBlockingProtocolHandler;
        this.framer = new InputFramer(listener.config().maxLineLength(), new InputFramer.LineEvents() {
            @Override
            public void line(InputLine line) {
                if (protocol != null) {
                    protocol.lineReceived(line);
                }
            }

            @Override
            public void lineTooLong(long octets) {
                if (protocol != null) {
                    protocol.lineTooLong(octets);
                }
            }
        });
    }

    // ---- events from the I/O thread ----

    void received(Object message) {
        boolean decrypted = message instanceof Decrypted;
        IoBuffer buffer = decrypted ? ((Decrypted) message).buffer() : (IoBuffer) message;
        int n = buffer.remaining();
        ByteBuffer copy = ByteBuffer.allocate(n);
        copy.put(buffer.buf()).flip();
        if (queuedInput.addAndGet(n) > inputQueueLimit && inputFull.compareAndSet(false, true)) {
            updateReading();
        }
        enqueueOnIoThread(() -> {
            try {
                if (tlsActive && !decrypted) {
                    // read before the TLS filter was in place: plaintext the client pipelined
                    // after STARTTLS (CVE-2011-0411 class); never a command
                    LOG.debug("{} discarded {} octets of plaintext sent after STARTTLS", id, n);
                } else {
                    framer.feed(copy);
                }
            } finally {
                if (queuedInput.addAndGet(-n) < inputQueueLimit / 2 && inputFull.compareAndSet(true, false)) {
                    updateReading();
                }
            }
        });
    }

    void enqueue(Runnable task) {
        tasks.add(task);
        schedule();
    }

    /**
     * {@link #enqueue} from the connection's I/O thread (MINA's events): a non-blocking protocol
     * runs it here and now unless the connection is busy elsewhere.
     */
    void enqueueOnIoThread(Runnable task) {
        tasks.add(task);
        if (!inline) {
            schedule();
        } else if (scheduled.compareAndSet(false, true)) {
            drain(true);
        }
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            onWorker(() -> drain(false));
        }
    }

    /** Runs a step of the actor (it owns {@code scheduled}) on a worker. */
    private void onWorker(Runnable step) {
        try {
            workers.execute(step);
        } catch (RejectedExecutionException e) {
            // the listener is closing and its workers are gone: run the step here rather than
            // drop it (it may be the closed() event or an abort that gives back spool memory)
            session.closeNow();
            step.run();
        }
    }

    private void drain(boolean onIoThread) {
        own(!onIoThread);
        int done = 0;
        while (done < MAX_TASKS_PER_TURN && !paused && !outputBlocked.get() && handOffs.isEmpty()) {
            Runnable task = resumeTasks.poll();
            if (task == null) {
                task = tasks.poll();
            }
            if (task == null) {
                break;
            }
            done++;
            runGuarded(task);
        }
        disown();
        if (!handOffs.isEmpty()) {
            // the actor stays scheduled: the hand-offs own it until they and the input they held are done
            nextHandOff(!onIoThread);
            return;
        }
        release();
    }

    /** Gives up the actor; schedules it again when something arrived meanwhile. */
    private void release() {
        scheduled.set(false);
        if (!paused && !outputBlocked.get() && (!resumeTasks.isEmpty() || !tasks.isEmpty())) {
            schedule();
        }
    }

    private void nextHandOff(boolean onWorker) {
        Consumer<Continuation> step = handOffs.poll();
        if (step != null) {
            step.accept(this::nextHandOff);
            return;
        }
        // all done: give back the hold the first hand-off took, and go on with the input
        handingOff = false;
        if (onWorker) {
            resumeTasks.add(framer::release);
            drain(false);
        } else if (!framer.pendingOnRelease() && resumeTasks.isEmpty() && tasks.isEmpty()) {
            // on a thread that must not block (the one that completed an awaited stage) and
            // nothing is waiting: release here, the next input comes on the I/O thread as usual
            framer.release();
            release();
        } else {
            resumeTasks.add(framer::release);
            onWorker(() -> drain(false));
        }
    }

    private void runGuarded(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException | Error e) {
            // a protocol bug must not take the server down: end this connection only
            LOG.warn("{} protocol error, closing the connection", id, e);
            tasks.clear();
            session.closeNow();
        }
    }

    private void own(boolean mayBlock) {
        ownerMayBlock = mayBlock;
        owner = Thread.currentThread();
    }

    private void disown() {
        owner = null;
    }

    /** True the first time only: the protocol session is started once. */
    boolean markBegun() {
        return begun.compareAndSet(false, true);
    }

    void start(ProtocolSession session) {
        this.protocol = session;
        session.started();
    }

    ProtocolSession protocol() {
        return protocol;
    }


    // ---- Connection ----

    @Override
    public String id() {
        return id;
    }

    @Override
    public String listenerName() {
        return listener.config().name();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) session.getRemoteAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) session.getLocalAddress();
    }

    @Override
    public boolean isSecure() {
        return session.getAttribute(SslFilter.SSL_SECURED) != null;
    }

    @Override
    public Optional<String> tlsDescription() {
        Object secured = session.getAttribute(SslFilter.SSL_SECURED);
        if (secured instanceof SSLSession ssl) {
            return Optional.of(ssl.getProtocol() + " " + ssl.getCipherSuite());
        }
        return Optional.empty();
    }

    @Override
    public boolean canStartTls() {
        return listener.config().tlsMode() == TlsMode.STARTTLS && !tlsActive;
    }

    @Override
    public void write(CharSequence text) {
        writeBytes(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void writeLine(CharSequence line) {
        byte[] bytes = line.toString().getBytes(StandardCharsets.UTF_8);
        byte[] withCrlf = new byte[bytes.length + 2];
        System.arraycopy(bytes, 0, withCrlf, 0, bytes.length);
        withCrlf[bytes.length] = '\r';
        withCrlf[bytes.length + 1] = '\n';
        writeBytes(withCrlf);
    }

    private WriteFuture writeBytes(byte[] bytes) {
        if (!session.isConnected() || session.isClosing()) {
            return null;
        }
        WriteFuture future = session.write(IoBuffer.wrap(bytes));
        if (session.getScheduledWriteBytes() > OUTPUT_PAUSE && outputBlocked.compareAndSet(false, true)) {
            // A client that pipelines commands but never reads the replies would otherwise make
            // us queue replies without limit: stop reading and answering it until it catches up.
            framer.hold();
            updateReading();
            // The I/O thread may have sent all of it between the size check and the flag: then
            // no messageSent is left to resume this session and it would stall for good (seen
            // once in 4 runs of aClientThatDoesNotReadItsRepliesIsHeldNotBuffered). Check again.
            outputSent();
        }
        return future;
    }

    /**
     * Reads from the socket while neither too much input waits nor output is blocked. Two
     * conditions on three threads (the I/O thread queues input, a worker or committer writes
     * replies, the I/O thread sends them) each used to suspend and resume reading on their own,
     * so one could resume what the other had just suspended, or suspend after the other had
     * resumed; a session then stalled with reading suspended and nothing left to resume it (once
     * in about ten full builds of aClientThatDoesNotReadItsRepliesIsHeldNotBuffered). Each change
     * of either flag is followed by this, under one lock, so the last call sees both.
     */
    private void updateReading() {
        synchronized (readingLock) {
            if (inputFull.get() || outputBlocked.get()) {
                session.suspendRead();
            } else {
                session.resumeRead();
            }
        }
    }

    /** Called on the I/O thread as output leaves: resumes a session held by {@link #writeBytes}. */
    void outputSent() {
        if (outputBlocked.get() && session.getScheduledWriteBytes() < OUTPUT_RESUME && outputBlocked.compareAndSet(true, false)) {
            resumeTasks.add(framer::release);
            updateReading();
            schedule();
        }
    }

    @Override
    public OutputStream output() {
        return new ConnectionOutput();
    }

    @Override
    public void readOctets(long count, ContentSink sink) {
        framer.readOctets(count, sink);
    }

    @Override
    public void readDotTerminated(long maxOctets, boolean normalizeBareLineEnds, ContentSink sink) {
        framer.readDotTerminated(maxOctets, normalizeBareLineEnds, sink);
    }

    @Override
    public void startTls(CharSequence goAhead) {
        if (!canStartTls()) {
            throw new IllegalStateException("STARTTLS is not available on this connection");
        }
        // 1. nothing the client sent after the command may be read as a command
        framer.discardBuffered();
        tlsActive = true;
        // 2. the TLS filter must be in place before the client can see the go-ahead, so its
        //    ClientHello cannot slip past it; 3. the go-ahead itself goes out in plaintext,
        //    written below the TLS filter
        IoFilterChain chain = session.getFilterChain();
        chain.addFirst(MinaListener.TLS_FILTER, listener.newSslFilter());
        chain.addAfter(MinaListener.TLS_FILTER, MinaListener.TLS_MARK_FILTER, MinaListener.TLS_MARK);
        byte[] line = (goAhead + "\r\n").getBytes(StandardCharsets.UTF_8);
        chain.getNextFilter(MinaListener.TLS_FILTER)
                .filterWrite(session, new DefaultWriteRequest(IoBuffer.wrap(line)));
    }

    @Override
    public void delay(Duration delay, Runnable then) {
        paused = true;
        framer.hold();
        Runnable resume = () -> {
            then.run();
            framer.release();
        };
        try {
            timers.schedule(() -> {
                resumeTasks.add(resume);
                paused = false;
                schedule();
            }, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the transport is stopping: run it now rather than never
            resumeTasks.add(resume);
            paused = false;
        }
    }

    @Override
    public void offload(Runnable work) {
        if (owner != Thread.currentThread() || ownerMayBlock) {
            // on a worker (a drain there, or offloaded work: may block), or on a thread that
            // does not run this connection (documented: then the caller's thread is its business)
            work.run();
            return;
        }
        handOff(next -> onWorker(() -> {
            own(true);
            runGuarded(work);
            disown();
            next.done(true);
        }));
    }

    @Override
    public <T> void await(CompletionStage<T> stage, BiConsumer<? super T, ? super Throwable> then) {
        if (owner != Thread.currentThread()) {
            // not from one of this connection's callbacks: there is no input to hold
            stage.whenComplete((value, failure) -> runGuarded(() -> then.accept(value, failure)));
            return;
        }
        handOff(next -> stage.whenComplete((value, failure) -> {
            try {
                // the completing thread (a spool committer, or this one if already complete)
                // must not block: an offload from `then` is handed on, not run here
                own(false);
                runGuarded(() -> then.accept(value, failure));
                disown();
                next.done(false);
            } catch (RuntimeException | Error e) {
                // the future would swallow it and the actor stay scheduled for good
                LOG.warn("{} resuming after an awaited stage failed, closing the connection", id, e);
                session.closeNow();
            }
        }));
    }

    private void handOff(Consumer<Continuation> step) {
        if (!handingOff) {
            handingOff = true;
            framer.hold(); // released once, after the last hand-off, including those they add
        }
        handOffs.add(step);
    }

    @Override
    public void setIdleTimeout(Duration timeout) {
        session.getConfig().setIdleTime(IdleStatus.BOTH_IDLE, (int) Math.max(1, timeout.toSeconds()));
    }

    @Override
    public void close() {
        closing = true;
        session.closeOnFlush();
    }

    boolean isClosing() {
        return closing;
    }

    @Override
    public String toString() {
        return id + " " + session.getRemoteAddress();
    }

    /** Buffered output with back-pressure: a slow reader makes the writer wait, not the heap grow. */
    private final class ConnectionOutput extends OutputStream {
        private final byte[] buffer = new byte[16 * 1024];
        private int length;
        private WriteFuture last;

        @Override
        public void write(int b) throws IOException {
            if (length == buffer.length) {
                flushBuffer();
            }
            buffer[length++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (length == buffer.length) {
                    flushBuffer();
                }
                int n = Math.min(len, buffer.length - length);
                System.arraycopy(b, off, buffer, length, n);
                length += n;
                off += n;
                len -= n;
            }
        }

        @Override
        public void flush() throws IOException {
            flushBuffer();
        }

        @Override
        public void close() throws IOException {
            flushBuffer();
        }

        private void flushBuffer() throws IOException {
            if (length == 0) {
                return;
            }
            if (!session.isConnected()) {
                length = 0;
                throw new IOException("connection closed");
            }
            byte[] chunk = new byte[length];
            System.arraycopy(buffer, 0, chunk, 0, length);
            length = 0;
            last = session.write(IoBuffer.wrap(chunk));
            while (session.getScheduledWriteBytes() > OUTPUT_HIGH_WATER && session.isConnected()) {
                try {
                    last.await(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while the client was slow to read");
                }
            }
        }
    }
}
