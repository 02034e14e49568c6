package dev.postwerk.smtp.internal;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.postwerk.api.directory.UserDirectory;
import dev.postwerk.api.filter.FilterChain;
import dev.postwerk.api.queue.MailQueue;
import dev.postwerk.api.sasl.SaslAuthenticator;
import dev.postwerk.api.store.MailboxStore;
import dev.postwerk.api.transport.Connection;
import dev.postwerk.api.transport.Listener;
import dev.postwerk.api.transport.ListenerFactory;
import dev.postwerk.api.transport.NonBlockingProtocolHandler;
import dev.postwerk.api.transport.ProtocolSession;
import dev.postwerk.api.transport.Refusal;

/**
 * One SMTP listener per factory configuration ({@code dev.postwerk.smtp~mx},
 * {@code ~submission}, {@code ~smtps}). The queue, directory, SASL and filter chain are dynamic
 * references: a session asks for them when it needs them and answers a temporary error when one
 * is missing (DESIGN.md rule 2), so any of them can be updated while mail flows.
 */
@Component(configurationPid = SmtpServer.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = SmtpConfig.class, factory = true)
public final class SmtpServer implements NonBlockingProtocolHandler, SmtpServices {

    public static final String PID = "dev.postwerk.smtp";
    private static final Logger LOG = LoggerFactory.getLogger(SmtpServer.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MailQueue queue;

    /** The directory and whether it promised non-blocking lookups, swapped together. */
    private volatile DirectoryRef directory;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile SaslAuthenticator sasl;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile FilterChain filters;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MailboxStore store;

    private final ListenerFactory factory;
    private final MailboxFullCache mailboxFullCache = new MailboxFullCache(5_000);
    private volatile SmtpSettings settings;
    private Listener listener;

    @Activate
    public SmtpServer(@Reference ListenerFactory factory, SmtpConfig config) throws IOException {
        this.factory = factory;
        this.settings = SmtpSettings.from(config);
        this.listener = factory.bind(settings.listener(), this);
        LOG.info("SMTP {} ({}) listening on {}", settings.name(), settings.submission() ? "submission" : "mx",
                listener.address());
    }

    /** For tests: services given directly. */
    SmtpServer(ListenerFactory factory, SmtpConfig config, MailQueue queue, UserDirectory directory,
            SaslAuthenticator sasl, FilterChain filters, MailboxStore store) throws IOException {
        this.store = store;
        this.queue = queue;
        this.directory = directory == null ? null : new DirectoryRef(directory, false);
        this.sasl = sasl;
        this.filters = filters;
        this.factory = factory;
        this.settings = SmtpSettings.from(config);
        this.listener = factory.bind(settings.listener(), this);
    }

    @Modified
    synchronized void modified(SmtpConfig config) throws IOException {
        SmtpSettings fresh = SmtpSettings.from(config);
        SmtpSettings old = settings;
        settings = fresh; // new sessions use the new limits at once
        if (!fresh.listener().equals(old.listener())) {
            Listener previous = listener;
            listener = factory.bind(fresh.listener(), this);
            previous.close();
            LOG.info("SMTP {} now listening on {}", fresh.name(), listener.address());
        }
    }

    @Deactivate
    synchronized void deactivate() {
        listener.close();
    }

    synchronized Listener listener() {
        return listener;
    }

    @Override
    public ProtocolSession open(Connection connection) {
        return new SmtpSession(connection, settings, this);
    }

    @Override
    public void refuse(Connection connection, Refusal reason) {
        connection.writeLine(SmtpReply.of(421, "4.7.0", settings.hostname() + " Too many connections"
                + (reason == Refusal.TOO_MANY_FROM_CLIENT ? " from your address" : "") + ", try again later").line());
    }

    @Override
    public Optional<MailQueue> queue() {
        return Optional.ofNullable(queue);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindDirectory", updated = "bindDirectory")
    void bindDirectory(UserDirectory d, Map<String, Object> properties) {
        directory = new DirectoryRef(d, Boolean.parseBoolean(String.valueOf(properties.get(UserDirectory.NON_BLOCKING_PROPERTY))));
    }

    void unbindDirectory(UserDirectory d) {
        DirectoryRef now = directory;
        if (now != null && now.directory() == d) {
            directory = null;
        }
    }

    /** Tests: the directory given to the test constructor promises non-blocking lookups. */
    void directoryNonBlocking(boolean nonBlocking) {
        DirectoryRef now = directory;
        directory = now == null ? null : new DirectoryRef(now.directory(), nonBlocking);
    }

    @Override
    public Optional<UserDirectory> directory() {
        DirectoryRef now = directory;
        return now == null ? Optional.empty() : Optional.of(now.directory());
    }

    @Override
    public Optional<DirectoryRef> directoryRef() {
        return Optional.ofNullable(directory);
    }

    @Override
    public Optional<SaslAuthenticator> sasl() {
        return Optional.ofNullable(sasl);
    }

    @Override
    public Optional<FilterChain> filters() {
        return Optional.ofNullable(filters);
    }

    @Override
    public Optional<MailboxStore> store() {
        return Optional.ofNullable(store);
    }

    @Override
    public MailboxFullCache mailboxFullCache() {
        return mailboxFullCache;
    }
}
