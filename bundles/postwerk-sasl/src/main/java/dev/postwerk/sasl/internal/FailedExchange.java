package dev.postwerk.sasl.internal;

import java.util.Optional;

import dev.postwerk.api.sasl.SaslExchange;
import dev.postwerk.api.sasl.SaslResult;
import dev.postwerk.api.sasl.SaslStep;

/** An exchange refused before it began (unknown mechanism, no TLS): it answers its failure at once. */
final class FailedExchange implements SaslExchange {
    private final String mechanism;
    private final SaslResult.Failure failure;
    private boolean complete;

    FailedExchange(String mechanism, SaslResult.Failure failure) {
        this.mechanism = mechanism;
        this.failure = failure;
    }

    @Override
    public String mechanism() {
        return mechanism;
    }

    @Override
    public SaslStep start(Optional<byte[]> initialResponse) {
        if (complete) {
            throw new IllegalStateException("exchange already started");
        }
        complete = true;
        return failure;
    }

    @Override
    public SaslStep respond(byte[] response) {
        throw new IllegalStateException("no challenge is pending");
    }

    @Override
    public boolean isComplete() {
        return complete;
    }
}
