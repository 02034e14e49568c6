package dev.postwerk.sasl.internal;

import java.time.Duration;
import java.util.Optional;

import dev.postwerk.api.directory.AuthResult;
import dev.postwerk.api.directory.Principal;
import dev.postwerk.api.sasl.AuthGuard;
import dev.postwerk.api.sasl.FailureReason;
import dev.postwerk.api.sasl.SaslContext;
import dev.postwerk.api.sasl.SaslExchange;
import dev.postwerk.api.sasl.SaslResult;
import dev.postwerk.api.sasl.SaslStep;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one mechanism and applies what every mechanism shares: the refused-address check, the
 * authorization-identity rule, guard accounting, and SCRAM's final server message.
 */
final class GuardedExchange implements SaslExchange {

    private static final Logger LOG = LoggerFactory.getLogger(GuardedExchange.class);

    private final String mechanism;
    private final Mechanism.Exchange inner;
    private final SaslContext context;
    private final AuthGuard guard;
    private final Credentials credentials;
    private boolean started;
    private boolean complete;
    /** Success decided, waiting for the client's empty answer to the server-final message. */
    private Optional<SaslResult.Success> pending = Optional.empty();

    GuardedExchange(String mechanism, Mechanism.Exchange inner, SaslContext context, AuthGuard guard,
            Credentials credentials) {
        this.mechanism = mechanism;
        this.inner = inner;
        this.context = context;
        this.guard = guard;
        this.credentials = credentials;
    }

    @Override
    public String mechanism() {
        return mechanism;
    }

    @Override
    public boolean isComplete() {
        return complete;
    }

    @Override
    public SaslStep start(Optional<byte[]> initialResponse) {
        if (started) {
            throw new IllegalStateException("exchange already started");
        }
        started = true;
        Optional<Duration> refused = guard.refusedFor(context.client());
        if (refused.isPresent()) {
            return done(SaslResult.Failure.of(FailureReason.BLOCKED));
        }
        return translate(inner.start(initialResponse));
    }

    @Override
    public SaslStep respond(byte[] response) {
        if (!started || complete) {
            throw new IllegalStateException("no challenge is pending");
        }
        if (pending.isPresent()) {
            // RFC 4422 §3.6: the client acknowledges additional data with an empty response
            return done(response.length == 0 ? pending.get() : SaslResult.Failure.of(FailureReason.MALFORMED));
        }
        return translate(inner.respond(response));
    }

    private SaslStep translate(MechanismStep step) {
        if (step instanceof MechanismStep.Challenge c) {
            return new SaslStep.Challenge(c.data());
        }
        if (step instanceof MechanismStep.Failed f) {
            return done(SaslResult.Failure.of(f.reason()));
        }
        MechanismStep.Checked checked = (MechanismStep.Checked) step;
        SaslResult result = decide(checked.result(), checked.authcid(), checked.authzid(), context, guard, credentials);
        if (result instanceof SaslResult.Success s && checked.serverFinal().isPresent()) {
            // no protocol of ours can carry data with its success reply: send it as a challenge
            pending = Optional.of(s);
            return new SaslStep.Challenge(checked.serverFinal().get());
        }
        return done(result);
    }

    private SaslResult done(SaslResult result) {
        complete = true;
        return result;
    }

    /**
     * The rules after a credential check, shared with plain logins: failures are counted and
     * delayed; the authorization identity must name the authenticated user unless that user is
     * a master user (RFC 4422 §3.4.1 leaves the policy to the server).
     */
    static SaslResult decide(AuthResult result, String authcid, Optional<String> authzid, SaslContext context,
            AuthGuard guard, Credentials credentials) {
        switch (result.outcome()) {
            case UNAVAILABLE:
                return SaslResult.Failure.of(FailureReason.TEMPORARY);
            case INVALID_CREDENTIALS:
            case DISABLED: {
                Duration delay = guard.failed(context.client(), authcid);
                LOG.debug("Authentication failed for {} from {}", authcid, context.client().getHostAddress());
                return new SaslResult.Failure(result.outcome() == AuthResult.Outcome.DISABLED
                        ? FailureReason.DISABLED : FailureReason.INVALID_CREDENTIALS, delay);
            }
            default:
                break;
        }
        Principal user = result.principal().orElseThrow();
        if (authzid.isEmpty() || sameUser(authzid.get(), user, credentials)) {
            guard.succeeded(context.client(), authcid);
            return new SaslResult.Success(user, user.name());
        }
        if (!user.master()) {
            LOG.info("{} may not act as {}: not a master user", user.name(), authzid.get());
            return SaslResult.Failure.of(FailureReason.AUTHORIZATION_DENIED);
        }
        Optional<Principal> target;
        try {
            target = credentials.findUser(authzid.get());
        } catch (Credentials.Unavailable e) {
            return SaslResult.Failure.of(FailureReason.TEMPORARY);
        }
        if (target.isEmpty()) {
            return SaslResult.Failure.of(FailureReason.AUTHORIZATION_DENIED);
        }
        guard.succeeded(context.client(), authcid);
        LOG.info("Master user {} acts as {}", user.name(), target.get().name());
        return new SaslResult.Success(target.get(), user.name());
    }

    private static boolean sameUser(String authzid, Principal user, Credentials credentials) {
        if (authzid.equals(user.name())) {
            return true;
        }
        try {
            return credentials.findUser(authzid).map(p -> p.name().equals(user.name())).orElse(false);
        } catch (Credentials.Unavailable e) {
            return false;
        }
    }
}
