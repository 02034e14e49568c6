package dev.postwerk.transport.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;

import org.apache.mina.core.service.SimpleIoProcessorPool;
import org.apache.mina.transport.socket.nio.NioProcessor;
import org.apache.mina.transport.socket.nio.NioSession;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.postwerk.api.transport.Listener;
import dev.postwerk.api.transport.ListenerConfig;
import dev.postwerk.api.transport.ListenerFactory;
import dev.postwerk.api.transport.ProtocolHandler;
import dev.postwerk.api.transport.TlsMode;
import dev.postwerk.transport.internal.tls.SelfSignedCertificate;
import dev.postwerk.transport.internal.tls.TlsContexts;

/**
 * The transport: owns the NIO processors and the worker pool shared by every listener, and the
 * default TLS key material. A change of this configuration re-activates the component, which
 * closes its listeners; the protocols bound to it re-bind on the new instance.
 */
@Component(service = ListenerFactory.class, configurationPid = TransportComponent.PID)
@Designate(ocd = TransportConfig.class)
public final class TransportComponent implements ListenerFactory {

    public static final String PID = "dev.postwerk.transport";
    private static final Logger LOG = LoggerFactory.getLogger(TransportComponent.class);

    private final SimpleIoProcessorPool<NioSession> processors;
    private final int workerThreads;
    private final ScheduledThreadPoolExecutor timers;
    private final TransportConfig config;
    private final Path dataFolder;
    private final Set<MinaListener> listeners = ConcurrentHashMap.newKeySet();
    private volatile SSLContext defaultContext;

    @Activate
    public TransportComponent(TransportConfig config) {
        this(config, dataFolder());
    }

    TransportComponent(TransportConfig config, Path dataFolder) {
        this.config = config;
        this.dataFolder = dataFolder;
        int ioThreads = config.ioProcessors() > 0 ? config.ioProcessors() : Runtime.getRuntime().availableProcessors() + 1;
        this.processors = new SimpleIoProcessorPool<>(NioProcessor.class, ioThreads);
        this.workerThreads = Math.max(2, config.workerThreads());
        this.timers = new ScheduledThreadPoolExecutor(1, named("postwerk-timer"));
        timers.setRemoveOnCancelPolicy(true);
        LOG.info("Transport started: {} I/O processors, up to {} workers per listener", ioThreads, workerThreads);
    }

    static Path dataFolder() {
        String karafData = System.getProperty("karaf.data");
        return Path.of(karafData != null ? karafData : "data");
    }

    @Override
    public Listener bind(ListenerConfig listenerConfig, ProtocolHandler handler) throws IOException {
        SSLContext context = listenerConfig.tlsMode() == TlsMode.NONE ? null : sslContext(listenerConfig);
        // Each listener has its own workers: a protocol whose sessions block (a slow filter, a
        // slow directory) cannot take the threads of another protocol. The queue is unbounded, but
        // each connection is queued at most once (MinaConnection's actor), so its length is
        // bounded by the connection limits.
        ThreadPoolExecutor workers = new ThreadPoolExecutor(workerThreads, workerThreads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), named("postwerk-" + listenerConfig.name()));
        workers.allowCoreThreadTimeOut(true);
        MinaListener[] self = new MinaListener[1];
        MinaListener listener;
        try {
            listener = new MinaListener(listenerConfig, handler, processors, workers, timers, context,
                    config.inputQueueLimit(), () -> {
                        listeners.remove(self[0]);
                        stopWorkers(workers);
                    });
        } catch (IOException | RuntimeException e) {
            workers.shutdownNow();
            throw e;
        }
        self[0] = listener;
        listeners.add(listener);
        return listener;
    }

    private SSLContext sslContext(ListenerConfig listenerConfig) throws IOException {
        if (listenerConfig.keystore().isPresent()) {
            return TlsContexts.serverContext(listenerConfig.keystore().get(), listenerConfig.keystorePassword());
        }
        SSLContext context = defaultContext;
        if (context == null) {
            synchronized (this) {
                if (defaultContext == null) {
                    if (!config.keystore().isBlank()) {
                        defaultContext = TlsContexts.serverContext(Path.of(config.keystore()), config.keystorePassword());
                    } else {
                        SelfSignedCertificate.Material material = SelfSignedCertificate.obtain(dataFolder.resolve("tls"),
                                hostName());
                        defaultContext = TlsContexts.serverContext(material.keystore(), material.password());
                    }
                }
                context = defaultContext;
            }
        }
        return context;
    }

    private String hostName() {
        if (!config.hostName().isBlank()) {
            return config.hostName().trim();
        }
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    @Deactivate
    public void deactivate() {
        for (MinaListener listener : listeners.toArray(new MinaListener[0])) {
            listener.close();
        }
        processors.dispose();
        timers.shutdownNow();
        LOG.info("Transport stopped");
    }

    /** After a listener closed: lets running work finish (bounded), then stops its threads. */
    private static void stopWorkers(ThreadPoolExecutor workers) {
        workers.shutdown();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
