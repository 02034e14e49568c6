package dev.postwerk.pop3.internal;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import dev.postwerk.api.sasl.AuthGuard;

/** A brute-force guard whose delays and refusals the test decides. */
final class TestGuard implements AuthGuard {

    /** Delay for the n-th failure (1-based). */
    volatile IntFunction<Duration> delays = n -> Duration.ZERO;
    volatile boolean refuseAll;
    final AtomicInteger failures = new AtomicInteger();

    @Override
    public Optional<Duration> refusedFor(InetAddress client) {
        return refuseAll ? Optional.of(Duration.ofMinutes(15)) : Optional.empty();
    }

    @Override
    public Duration failed(InetAddress client, String account) {
        return delays.apply(failures.incrementAndGet());
    }

    @Override
    public void succeeded(InetAddress client, String account) {
    }
}
