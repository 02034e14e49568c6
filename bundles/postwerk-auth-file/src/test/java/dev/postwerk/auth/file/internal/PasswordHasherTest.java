package dev.postwerk.auth.file.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;

import org.junit.jupiter.api.Test;

class PasswordHasherTest {

    /** Cheap costs: the tests check the formats, not the strength. */
    static final HashSettings FAST = new HashSettings(PasswordScheme.ARGON2ID, 64, 1, 1, 4, 4096);

    private final PasswordHasher argon = new PasswordHasher(FAST, new SecureRandom());
    private final PasswordHasher bcrypt = new PasswordHasher(
            new HashSettings(PasswordScheme.BLF_CRYPT, 64, 1, 1, 4, 4096), new SecureRandom());

    @Test
    void argon2idHashVerifiesAndCarriesPrefixAndParameters() {
        String h = argon.hash("pencil".toCharArray());
        assertTrue(h.startsWith("{ARGON2ID}$argon2id$v=19$m=64,t=1,p=1$"), h);
        assertTrue(argon.verify(h, "pencil".toCharArray()));
        assertFalse(argon.verify(h, "Pencil".toCharArray()));
        assertFalse(argon.needsRehash(h));
    }

    @Test
    void sameParametersGiveDifferentSalts() {
        assertFalse(argon.hash("pencil".toCharArray()).equals(argon.hash("pencil".toCharArray())));
    }

    @Test
    void verifiesArgon2idOfTheReferenceImplementation() {
        // echo -n pencil | argon2 saltsaltsalt -id -t 2 -m 10 -p 1 -l 32 -e (the PHC reference CLI)
        String ref = "{ARGON2ID}$argon2id$v=19$m=1024,t=2,p=1$c2FsdHNhbHRzYWx0$BqzFaz0nFoPQRYIGJQdd0akvKGcp07LpVmy5VZ+IEHA";
        assertTrue(argon.verify(ref, "pencil".toCharArray()));
        assertFalse(argon.verify(ref, "pencil2".toCharArray()));
        assertTrue(argon.needsRehash(ref), "other costs than configured");
    }

    @Test
    void bcryptHashVerifies() {
        String h = bcrypt.hash("pencil".toCharArray());
        assertTrue(h.startsWith("{BLF-CRYPT}$2y$04$"), h);
        assertTrue(bcrypt.verify(h, "pencil".toCharArray()));
        assertFalse(bcrypt.verify(h, "pencil!".toCharArray()));
        assertFalse(bcrypt.needsRehash(h));
        assertTrue(argon.needsRehash(h));
    }

    @Test
    void verifiesDovecotBlfCryptInEveryVersionPrefix() {
        // crypt(3) of libxcrypt: crypt("pencil", "$2b$05$abcdefghijklmnopqrstuu")
        String body = "$05$abcdefghijklmnopqrstuu680Yiaj5hFUaJTH/rTAcbA2PQEGfiZu";
        for (String v : new String[] {"2b", "2y", "2a"}) {
            assertTrue(argon.verify("{BLF-CRYPT}$" + v + body, "pencil".toCharArray()), v);
            assertFalse(argon.verify("{BLF-CRYPT}$" + v + body, "pencim".toCharArray()), v);
        }
    }

    @Test
    void verifiesDovecotSha512CryptWithAndWithoutRounds() {
        // crypt(3): crypt("pencil", "$6$rounds=5000$Zp7sBCt4kLzVnRWJ")
        String withRounds = "{SHA512-CRYPT}$6$rounds=5000$Zp7sBCt4kLzVnRWJ$OxtZLZqtFpxXbblilFhqkaq.JH.oMPrIFVk9RVPQ71U9PtbnsovxFHjKI3GZqfH5KFAVTnBkOblyHAmqL6euI.";
        assertTrue(argon.verify(withRounds, "pencil".toCharArray()));
        assertFalse(argon.verify(withRounds, "pencil ".toCharArray()));
        // the example of the SHA-crypt specification (Drepper): "Hello world!" with salt "saltstring"
        String spec = "{SHA512-CRYPT}$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1";
        assertTrue(argon.verify(spec, "Hello world!".toCharArray()));
        assertTrue(argon.needsRehash(spec), "legacy scheme is always re-hashed");
    }

    @Test
    void unknownOrMalformedStoredStringsNeverMatch() {
        assertFalse(argon.verify("{PLAIN}pencil", "pencil".toCharArray()));
        assertFalse(argon.verify("pencil", "pencil".toCharArray()));
        assertFalse(argon.verify("{ARGON2ID}$argon2id$v=19$m=x,t=1,p=1$c2FsdA$aGFzaA", "pencil".toCharArray()));
        assertFalse(argon.verify("{BLF-CRYPT}$2y$04$short", "pencil".toCharArray()));
        assertFalse(argon.verify("{SHA512-CRYPT}$5$salt$hash", "pencil".toCharArray()));
    }

    @Test
    void changedArgonCostsAskForRehash() {
        String h = argon.hash("pencil".toCharArray());
        PasswordHasher stronger = new PasswordHasher(new HashSettings(PasswordScheme.ARGON2ID, 128, 1, 1, 4, 4096),
                new SecureRandom());
        assertTrue(stronger.needsRehash(h));
        assertTrue(stronger.verify(h, "pencil".toCharArray()), "old costs still verify");
    }

    @Test
    void bcryptCutsPasswordsAt72OctetsLikeOtherImplementations() {
        String long72 = "a".repeat(72);
        String h = bcrypt.hash((long72 + "tail").toCharArray());
        assertTrue(bcrypt.verify(h, long72.toCharArray()));
    }

    @Test
    void nonAsciiPasswordsAreHashedAsUtf8() {
        String h = argon.hash("pässwörd€".toCharArray());
        assertTrue(argon.verify(h, "pässwörd€".toCharArray()));
        assertFalse(argon.verify(h, "passwort".toCharArray()));
    }

    @Test
    void aLoginStormBeyondTheWaitingLimitFailsFastInsteadOfParkingEveryWorker() throws Exception {
        // default costs (~20-30 ms per check): slots fill up long before the first check ends
        PasswordHasher real = new PasswordHasher(new HashSettings(PasswordScheme.ARGON2ID, 19456, 2, 1, 10, 4096),
                new SecureRandom());
        String stored = real.hash("secret".toCharArray());
        int threads = PasswordHasher.MAX_WAITING + 30;
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger ok = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger busy = new java.util.concurrent.atomic.AtomicInteger();
        java.util.List<Thread> all = new java.util.ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                try {
                    go.await();
                    if (real.verify(stored, "secret".toCharArray())) {
                        ok.incrementAndGet();
                    }
                } catch (PasswordHasher.BusyException e) {
                    busy.incrementAndGet();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            t.start();
            all.add(t);
        }
        go.countDown();
        for (Thread t : all) {
            t.join(60_000);
        }
        org.junit.jupiter.api.Assertions.assertEquals(threads, ok.get() + busy.get());
        org.junit.jupiter.api.Assertions.assertTrue(busy.get() > 0, "some checks were refused as busy");
        org.junit.jupiter.api.Assertions.assertTrue(ok.get() >= PasswordHasher.MAX_WAITING, "the waiting ones were served: " + ok.get());
    }
}
