package dev.postwerk.sasl.internal;

import dev.postwerk.testkit.time.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class BruteForceGuardTest {

    MutableClock clock = new MutableClock();
    BruteForceGuard guard = new BruteForceGuard(clock, new BruteForceGuard.Settings(Duration.ofMillis(500),
            Duration.ofSeconds(4), 5, Duration.ofMinutes(10), Duration.ofMinutes(15), 100));

    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void failureDelaysDoubleUpToTheCap() throws Exception {
        InetAddress a = ip("192.0.2.1");
        assertEquals(Duration.ofMillis(500), guard.failed(a, "alice"));
        assertEquals(Duration.ofMillis(1000), guard.failed(a, "alice"));
        assertEquals(Duration.ofMillis(2000), guard.failed(a, "bob"));
        assertEquals(Duration.ofMillis(4000), guard.failed(a, "carol"));
        assertEquals(Duration.ofMillis(4000), guard.failed(a, "dave"));
    }

    @Test
    void addressIsRefusedPastTheThresholdAndAdmittedAfterTheRefusalTime() throws Exception {
        InetAddress a = ip("192.0.2.1");
        for (int i = 0; i < 4; i++) {
            guard.failed(a, "user" + i);
        }
        assertEquals(Optional.empty(), guard.refusedFor(a));
        guard.failed(a, "user4");
        assertEquals(Optional.of(Duration.ofMinutes(15)), guard.refusedFor(a));
        clock.advance(Duration.ofMinutes(14));
        assertEquals(Optional.of(Duration.ofMinutes(1)), guard.refusedFor(a));
        clock.advance(Duration.ofMinutes(1));
        assertEquals(Optional.empty(), guard.refusedFor(a));
    }

    @Test
    void failuresOutsideTheWindowAreForgotten() throws Exception {
        InetAddress a = ip("192.0.2.1");
        for (int i = 0; i < 4; i++) {
            guard.failed(a, "x");
            clock.advance(Duration.ofMinutes(4));
        }
        assertEquals(Optional.empty(), guard.refusedFor(a), "never 5 failures within 10 minutes");
    }

    @Test
    void otherAddressesAreNotRefusedForTheSameAccountButFailuresThereAreSlower() throws Exception {
        InetAddress attacker = ip("198.51.100.7");
        for (int i = 0; i < 5; i++) {
            guard.failed(attacker, "alice");
        }
        InetAddress owner = ip("203.0.113.9");
        assertTrue(guard.refusedFor(attacker).isPresent());
        assertEquals(Optional.empty(), guard.refusedFor(owner));
        assertEquals(Duration.ofSeconds(4), guard.failed(owner, "alice"), "the account's failures slow every address");
        guard.succeeded(owner, "alice");
        assertEquals(Duration.ofMillis(1000), guard.failed(owner, "alice"), "after the owner's success only the address counts");
    }

    @Test
    void ipv6ClientsAreCountedPerSlash64() throws Exception {
        for (int i = 1; i <= 5; i++) {
            guard.failed(ip("2001:db8:1:2::" + i), "x");
        }
        assertTrue(guard.refusedFor(ip("2001:db8:1:2:ffff::1")).isPresent());
        assertEquals(Optional.empty(), guard.refusedFor(ip("2001:db8:1:3::1")));
        assertEquals("2001:db8:1:2:0:0:0:0/64", BruteForceGuard.addressKey(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")));
    }

    @Test
    void memoryStaysBoundedWhateverTheNumberOfAddressesAndNames() throws Exception {
        for (int i = 0; i < 20000; i++) {
            guard.failed(InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i}),
                    "name" + i + "x".repeat(1000));
        }
        assertTrue(guard.trackedEntries() <= 200, "at most 100 addresses and 100 accounts: " + guard.trackedEntries());
    }

    @Test
    void aRefusedAddressThatKeepsTryingIsNotForgottenFirst() throws Exception {
        InetAddress attacker = ip("198.51.100.7");
        for (int i = 0; i < 5; i++) {
            guard.failed(attacker, "alice");
        }
        for (int i = 0; i < 1000; i++) {
            guard.failed(InetAddress.getByAddress(new byte[] {10, 0, (byte) (i >> 8), (byte) i}), "n" + i);
            if (i % 50 == 0) {
                assertTrue(guard.refusedFor(attacker).isPresent());
            }
        }
        assertTrue(guard.refusedFor(attacker).isPresent());
    }
}
