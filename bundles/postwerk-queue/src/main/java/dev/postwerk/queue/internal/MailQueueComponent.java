package dev.postwerk.queue.internal;

import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import dev.postwerk.api.directory.UserDirectory;
import dev.postwerk.api.filter.FilterChain;
import dev.postwerk.api.mail.Envelope;
import dev.postwerk.api.queue.MailQueue;
import dev.postwerk.api.queue.QueueEntry;
import dev.postwerk.api.queue.QueueException;
import dev.postwerk.api.queue.RelayTransport;
import dev.postwerk.api.queue.SpoolWriter;
import dev.postwerk.api.store.MailboxStore;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link MailQueue} service. Every service delivery uses is optional, dynamic and greedy
 * (rule 2 of DESIGN.md): while one is missing, the mail that needs it waits in the spool as a
 * temporary failure, and it is tried again as soon as the service (re)appears. That includes
 * the {@link FilterChain}: delivering without it while a spam filter is being updated would let
 * mail through unfiltered, so local delivery waits for it. The store is the highest-ranked
 * {@link MailboxStore}, narrowed with the {@code store.target} property if configured (e.g.
 * {@code (store.name=maildir)}).
 *
 * <p>A configuration change re-activates the component: the spool is closed cleanly (running
 * deliveries finish, the journal is flushed) and opened again with recovery, which loses nothing.
 */
@Component(service = MailQueue.class, configurationPid = "dev.postwerk.queue", immediate = true)
@Designate(ocd = QueueConfig.class)
public class MailQueueComponent implements MailQueue, DeliveryServices {

    private static final Logger LOG = LoggerFactory.getLogger(MailQueueComponent.class);

    private final AtomicReference<MailboxStore> store = new AtomicReference<>();
    private final AtomicReference<UserDirectory> directory = new AtomicReference<>();
    private final AtomicReference<FilterChain> filters = new AtomicReference<>();
    private final AtomicReference<RelayTransport> relay = new AtomicReference<>();
    private volatile QueueService queue;

    @Activate
    void activate(QueueConfig config) throws IOException {
        QueueSettings settings = QueueSettings.from(config);
        queue = new QueueService(settings, this, Clock.systemUTC());
        LOG.info("Mail queue started on {} with {} delivery worker(s), {} message(s) queued", settings.spool(),
                settings.deliveryThreads(), queue.list().size());
    }

    @Deactivate
    void deactivate() {
        QueueService q = queue;
        if (q != null) {
            q.stop();
            LOG.info("Mail queue stopped");
        }
    }

    /** The running queue, for the shell's retry-all. */
    QueueService queue() {
        return queue;
    }

    @Override
    public SpoolWriter begin(Envelope envelope) throws QueueException {
        return queue.begin(envelope);
    }

    @Override
    public List<QueueEntry> list() {
        return queue.list();
    }

    @Override
    public Optional<QueueEntry> find(String queueId) {
        return queue.find(queueId);
    }

    @Override
    public boolean retry(String queueId) {
        return queue.retry(queueId);
    }

    @Override
    public int retryDomain(String domain) {
        return queue.retryDomain(domain);
    }

    @Override
    public boolean delete(String queueId) {
        return queue.delete(queueId);
    }

    @Override
    public Optional<MailboxStore> store() {
        return Optional.ofNullable(store.get());
    }

    @Override
    public Optional<UserDirectory> directory() {
        return Optional.ofNullable(directory.get());
    }

    @Override
    public Optional<FilterChain> filters() {
        return Optional.ofNullable(filters.get());
    }

    @Override
    public Optional<RelayTransport> relay() {
        return Optional.ofNullable(relay.get());
    }

    private void arrived() {
        QueueService q = queue;
        if (q != null) {
            q.serviceArrived();
        }
    }

    // Greedy dynamic unary references: a better service is bound before the old one is unbound,
    // so unbind clears the field only if it still holds the service going away.

    @Reference(name = "store", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindStore(MailboxStore s) {
        store.set(s);
        arrived();
    }

    void unbindStore(MailboxStore s) {
        store.compareAndSet(s, null);
    }

    @Reference(name = "directory", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindDirectory(UserDirectory d) {
        directory.set(d);
        arrived();
    }

    void unbindDirectory(UserDirectory d) {
        directory.compareAndSet(d, null);
    }

    @Reference(name = "filters", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindFilters(FilterChain f) {
        filters.set(f);
        arrived();
    }

    void unbindFilters(FilterChain f) {
        filters.compareAndSet(f, null);
    }

    @Reference(name = "relay", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindRelay(RelayTransport r) {
        relay.set(r);
        arrived();
    }

    void unbindRelay(RelayTransport r) {
        relay.compareAndSet(r, null);
    }
}
