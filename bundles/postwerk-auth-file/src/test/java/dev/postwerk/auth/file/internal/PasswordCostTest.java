package dev.postwerk.auth.file.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;

import org.junit.jupiter.api.Test;

/**
 * Prints what one verification costs at the default settings (issue 4 asks for tens of
 * milliseconds). It measures, it asserts nothing about speed: see target/surefire-reports.
 */
class PasswordCostTest {

    @Test
    void printsTheCostOfOneVerificationAtDefaultSettings() {
        PasswordHasher h = new PasswordHasher(HashSettings.DEFAULT, new SecureRandom());
        String stored = h.hash("correct horse".toCharArray());
        for (int i = 0; i < 5; i++) {
            h.verify(stored, "correct horse".toCharArray()); // warm up the JIT
        }
        int rounds = 20;
        long start = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            assertTrue(h.verify(stored, "correct horse".toCharArray()));
        }
        double ms = (System.nanoTime() - start) / 1e6 / rounds;
        long scramStart = System.nanoTime();
        ScramKeys.derive("correct horse".toCharArray(), new SecureRandom(), HashSettings.DEFAULT.scramIterations());
        double scramMs = (System.nanoTime() - scramStart) / 1e6;
        System.out.printf("password verification at defaults (%s m=%d KiB t=%d p=%d): %.1f ms; SCRAM key derivation (%d iterations): %.1f ms%n",
                HashSettings.DEFAULT.scheme(), HashSettings.DEFAULT.argon2MemoryKib(), HashSettings.DEFAULT.argon2Iterations(),
                HashSettings.DEFAULT.argon2Parallelism(), ms, HashSettings.DEFAULT.scramIterations(), scramMs);
    }
}
