package dev.postwerk.sasl.internal;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import dev.postwerk.api.directory.AuthResult;
import dev.postwerk.api.directory.Principal;
import dev.postwerk.api.directory.ScramCredential;
import dev.postwerk.api.directory.UserDirectory;
import dev.postwerk.api.sasl.AuthGuard;
import dev.postwerk.api.sasl.FailureReason;
import dev.postwerk.api.sasl.SaslAuthenticator;
import dev.postwerk.api.sasl.SaslContext;
import dev.postwerk.api.sasl.SaslExchange;
import dev.postwerk.api.sasl.SaslResult;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SASL service. Calls block while a password hash is checked (tens of milliseconds): the
 * transport already runs protocol code on its worker pool, never on MINA's I/O threads, so a
 * blocking call is the simplest correct contract. The brute-force delay, which can be seconds,
 * is not slept here: it is returned with the failure for the protocol to schedule its reply.
 */
@Component(service = SaslAuthenticator.class, configurationPid = "dev.postwerk.sasl")
@Designate(ocd = SaslConfig.class)
public class SaslAuthenticatorImpl implements SaslAuthenticator {

    private static final Logger LOG = LoggerFactory.getLogger(SaslAuthenticatorImpl.class);

    @Reference
    private AuthGuard guard;

    /** Swappable at run time (file today, LDAP later); without one, logins fail temporarily. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile UserDirectory directory;

    private final Map<String, Mechanism> known = new LinkedHashMap<>();
    private volatile List<Mechanism> enabled = List.of();

    public SaslAuthenticatorImpl() {
        this(ScramSha256Mechanism.randomNonces(new SecureRandom()));
    }

    SaslAuthenticatorImpl(Supplier<String> nonces) {
        byte[] fakeSaltKey = new byte[32];
        new SecureRandom().nextBytes(fakeSaltKey);
        for (Mechanism m : List.of(new ScramSha256Mechanism(nonces, fakeSaltKey, 4096), new PlainMechanism(),
                new LoginMechanism())) {
            known.put(m.name(), m);
        }
    }

    /** For tests: wire what DS would inject. */
    SaslAuthenticatorImpl with(AuthGuard g, UserDirectory d, List<String> mechanisms) {
        this.guard = g;
        this.directory = d;
        configure(mechanisms);
        return this;
    }

    @Activate
    @Modified
    void activate(SaslConfig config) {
        // a .cfg file gives "A,B,C" as one string; a .config file or the console give an array
        List<String> names = new ArrayList<>();
        for (String entry : config.mechanisms()) {
            for (String name : entry.split(",")) {
                if (!name.isBlank()) {
                    names.add(name);
                }
            }
        }
        configure(names);
    }

    private void configure(List<String> names) {
        List<Mechanism> list = new ArrayList<>();
        for (String n : names) {
            Mechanism m = known.get(n.strip().toUpperCase(Locale.ROOT));
            if (m == null) {
                LOG.warn("Unknown SASL mechanism '{}' in the configuration is ignored (known: {})", n, known.keySet());
            } else if (!list.contains(m)) {
                list.add(m);
            }
        }
        enabled = List.copyOf(list);
    }

    @Override
    public List<String> mechanisms(SaslContext context) {
        return enabled.stream().filter(m -> !m.plaintext() || context.plaintextPermitted()).map(Mechanism::name).toList();
    }

    @Override
    public SaslExchange exchange(String mechanism, SaslContext context) {
        String name = mechanism.strip().toUpperCase(Locale.ROOT);
        Optional<Mechanism> m = enabled.stream().filter(e -> e.name().equals(name)).findFirst();
        if (m.isEmpty()) {
            return new FailedExchange(name, SaslResult.Failure.of(FailureReason.UNSUPPORTED_MECHANISM));
        }
        if (m.get().plaintext() && !context.plaintextPermitted()) {
            return new FailedExchange(name, SaslResult.Failure.of(FailureReason.ENCRYPTION_REQUIRED));
        }
        Credentials credentials = credentials();
        return new GuardedExchange(name, m.get().start(context, credentials), context, guard, credentials);
    }

    @Override
    public SaslResult login(SaslContext context, String login, char[] password) {
        if (!context.plaintextPermitted()) {
            return SaslResult.Failure.of(FailureReason.ENCRYPTION_REQUIRED);
        }
        if (guard.refusedFor(context.client()).isPresent()) {
            return SaslResult.Failure.of(FailureReason.BLOCKED);
        }
        if (login.isEmpty() || password.length == 0) {
            return SaslResult.Failure.of(FailureReason.MALFORMED);
        }
        Credentials credentials = credentials();
        return GuardedExchange.decide(credentials.verifyPassword(login, password), login, Optional.empty(), context,
                guard, credentials);
    }

    /** Reads the directory reference once per call, so a directory leaving mid-exchange is a temporary failure. */
    private Credentials credentials() {
        return new Credentials() {
            @Override
            public AuthResult verifyPassword(String login, char[] password) {
                UserDirectory d = directory;
                return d == null ? AuthResult.failure(AuthResult.Outcome.UNAVAILABLE) : d.verifyPassword(login, password);
            }

            @Override
            public Optional<ScramCredential> scram(String login, String hashName) {
                return require().scramCredential(login, hashName);
            }

            @Override
            public Optional<Principal> findUser(String login) {
                return require().findUser(login);
            }

            private UserDirectory require() {
                UserDirectory d = directory;
                if (d == null) {
                    throw new Unavailable();
                }
                return d;
            }
        };
    }
}
