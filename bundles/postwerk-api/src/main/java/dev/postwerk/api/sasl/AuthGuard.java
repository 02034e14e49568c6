package dev.postwerk.api.sasl;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Brute-force protection shared by every login path: counts failures per client address and per
 * account, paces failure replies, and refuses an address for a while past a threshold. Memory
 * is bounded however many addresses or names an attacker uses.
 */
@ProviderType
public interface AuthGuard {

    /** How long {@code client} stays refused; empty when it may try to authenticate. */
    Optional<Duration> refusedFor(InetAddress client);

    /**
     * Records a failed attempt and returns how long to wait before sending the failure reply
     * (grows with the failures of the address and of the account).
     */
    Duration failed(InetAddress client, String account);

    /** Records a successful login. Success is never delayed, whatever other addresses did. */
    void succeeded(InetAddress client, String account);
}
