package dev.postwerk.pop3.internal;

import java.io.IOException;
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

import dev.postwerk.api.sasl.SaslAuthenticator;
import dev.postwerk.api.store.MailboxStore;
import dev.postwerk.api.transport.Connection;
import dev.postwerk.api.transport.Listener;
import dev.postwerk.api.transport.ListenerConfig;
import dev.postwerk.api.transport.ListenerFactory;
import dev.postwerk.api.transport.ProtocolHandler;
import dev.postwerk.api.transport.ProtocolSession;
import dev.postwerk.api.transport.Refusal;

/**
 * A POP3 listener: one per factory configuration {@code dev.postwerk.pop3~NAME}. The listener
 * factory is static (without a transport there is nothing to serve); the store and the SASL
 * service are dynamic, greedy and optional, so either can be swapped or stopped while sessions
 * run, and a login without one gets {@code -ERR [SYS/TEMP]} instead of a hang.
 */
@Component(configurationPid = Pop3Server.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = Pop3Config.class, factory = true)
public final class Pop3Server implements ProtocolHandler, Pop3Services {

    public static final String PID = "dev.postwerk.pop3";

    private static final Logger LOG = LoggerFactory.getLogger(Pop3Server.class);

    @Reference
    private ListenerFactory factory;

    @Reference(name = "store", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MailboxStore store;

    @Reference(name = "sasl", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile SaslAuthenticator sasl;

    private final MaildropLocks locks;
    private volatile Pop3Settings settings;
    private Listener listener;

    public Pop3Server() {
        this.locks = MaildropLocks.SHARED;
    }

    /** For tests: wires what DS would inject. */
    Pop3Server(ListenerFactory factory, MailboxStore store, SaslAuthenticator sasl, MaildropLocks locks) {
        this.factory = factory;
        this.store = store;
        this.sasl = sasl;
        this.locks = locks;
    }

    @Activate
    synchronized void activate(Pop3Config config) throws IOException {
        settings = Pop3Settings.from(config);
        listener = factory.bind(settings.listener(), this);
    }

    /**
     * A changed port, address, TLS or limit binds the new listener first, then closes the old one
     * (its sessions get their goodbye); other settings apply to sessions that start from now on.
     */
    @Modified
    synchronized void modified(Pop3Config config) throws IOException {
        Pop3Settings next = Pop3Settings.from(config);
        ListenerConfig wanted = next.listener();
        settings = next;
        if (!wanted.equals(listener.config())) {
            Listener old = listener;
            listener = factory.bind(wanted, this);
            old.close();
        }
    }

    /** Closing the listener ends every session with its goodbye and without UPDATE. */
    @Deactivate
    synchronized void deactivate() {
        if (listener != null) {
            listener.close();
            listener = null;
        }
    }

    /** The bound listener (tests read the real port). */
    synchronized Listener listener() {
        return listener;
    }

    /** For tests: a store appearing or going away. */
    void store(MailboxStore next) {
        this.store = next;
    }

    /** For tests: a SASL service appearing or going away. */
    void sasl(SaslAuthenticator next) {
        this.sasl = next;
    }

    @Override
    public ProtocolSession open(Connection connection) {
        return new Pop3Session(connection, this, settings);
    }

    @Override
    public void refuse(Connection connection, Refusal reason) {
        LOG.debug("{} refused: {}", connection.id(), reason);
        connection.writeLine((reason == Refusal.TOO_MANY_CONNECTIONS ? Reply.REFUSED_TOO_MANY
                : Reply.REFUSED_TOO_MANY_FROM_CLIENT).line());
    }

    @Override
    public Optional<MailboxStore> store() {
        return Optional.ofNullable(store);
    }

    @Override
    public Optional<SaslAuthenticator> sasl() {
        return Optional.ofNullable(sasl);
    }

    @Override
    public MaildropLocks locks() {
        return locks;
    }
}
