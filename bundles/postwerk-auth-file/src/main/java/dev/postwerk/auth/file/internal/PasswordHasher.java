package dev.postwerk.auth.file.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.Semaphore;

import org.apache.commons.codec.digest.Sha2Crypt;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Hashes and verifies passwords in the stored forms Dovecot uses, so password files can move
 * both ways: {@code {ARGON2ID}$argon2id$v=19$m=..,t=..,p=..$salt$hash} (PHC string),
 * {@code {BLF-CRYPT}$2y$..} and, for verification only, {@code {SHA512-CRYPT}$6$..}.
 */
final class PasswordHasher {

    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();
    /** bcrypt reads at most 72 octets; longer passwords are cut as every other implementation does. */
    private static final int BCRYPT_MAX_OCTETS = 72;
    /** Upper bounds when verifying, so a tampered file cannot make one check take minutes. */
    private static final int MAX_ARGON2_MEMORY_KIB = 1 << 21;
    private static final int MAX_ARGON2_ITERATIONS = 64;

    /**
     * Hashes at once, JVM-wide: each Argon2id run holds its memory cost (19 MiB by default), so 50
     * parallel logins on 50 workers would need ~1 GiB; one per core keeps memory and CPU bounded
     * and costs no throughput, since hashing is CPU-bound anyway.
     */
    private static final Semaphore RUNNING = new Semaphore(Math.max(2, Runtime.getRuntime().availableProcessors()), true);

    /**
     * Checks allowed to wait for a hashing slot. Each waiting check holds a protocol worker thread;
     * past this, a check waits at most {@link #OVERFLOW_WAIT_MILLIS} and then fails as "busy" (a
     * temporary login failure) rather than letting a login storm park every worker and stall
     * greetings and mail sessions (measured: 100 parallel Argon2id logins delayed a fresh POP3
     * greeting to 0.5 s before this).
     */
    static final int MAX_WAITING = 4 * Math.max(2, Runtime.getRuntime().availableProcessors());
    private static final java.util.concurrent.atomic.AtomicInteger WAITING = new java.util.concurrent.atomic.AtomicInteger();

    /** No hashing slot was free and too many checks were waiting already: try again later. */
    static final class BusyException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BusyException() {
            super("password hashing busy", null, false, false);
        }
    }

    /** How long a check beyond {@link #MAX_WAITING} may still wait: fast hashes free a slot well within it. */
    static final long OVERFLOW_WAIT_MILLIS = 100;

    private static void acquire() {
        if (RUNNING.tryAcquire()) {
            return;
        }
        boolean overflow = WAITING.incrementAndGet() > MAX_WAITING;
        try {
            if (!overflow) {
                RUNNING.acquireUninterruptibly();
                return;
            }
            if (!RUNNING.tryAcquire(OVERFLOW_WAIT_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                throw new BusyException();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BusyException();
        } finally {
            WAITING.decrementAndGet();
        }
    }

    private final HashSettings settings;
    private final SecureRandom random;

    PasswordHasher(HashSettings settings, SecureRandom random) {
        this.settings = settings;
        this.random = random;
    }

    HashSettings settings() {
        return settings;
    }

    /** A new salted hash in the configured scheme, prefix included. */
    String hash(char[] password) {
        RUNNING.acquireUninterruptibly(); // setting a password (admin) always waits its turn
        try {
            return switch (settings.scheme()) {
                case ARGON2ID -> argon2(password);
                case BLF_CRYPT -> bcrypt(password);
                case SHA512_CRYPT -> throw new IllegalStateException("not a hashing scheme");
            };
        } finally {
            RUNNING.release();
        }
    }

    /** True when {@code password} matches {@code stored}; false for unknown or malformed strings. */
    boolean verify(String stored, char[] password) {
        Optional<PasswordScheme> scheme = PasswordScheme.of(stored);
        if (scheme.isEmpty()) {
            return false;
        }
        String body = stored.substring(scheme.get().prefix().length());
        acquire(); // may throw BusyException
        try {
            return switch (scheme.get()) {
                case ARGON2ID -> verifyArgon2(body, password);
                case BLF_CRYPT -> OpenBSDBCrypt.checkPassword(body, bcryptOctets(password));
                case SHA512_CRYPT -> verifySha512Crypt(body, password);
            };
        } catch (RuntimeException e) {
            return false; // malformed stored string: same answer as a wrong password
        } finally {
            RUNNING.release();
        }
    }

    /** True when {@code stored} is not in the configured scheme with the configured costs. */
    boolean needsRehash(String stored) {
        Optional<PasswordScheme> scheme = PasswordScheme.of(stored);
        if (scheme.isEmpty() || scheme.get() != settings.scheme()) {
            return true;
        }
        String body = stored.substring(scheme.get().prefix().length());
        return switch (scheme.get()) {
            case ARGON2ID -> !body.startsWith(argon2Head());
            case BLF_CRYPT -> !body.startsWith(String.format("$2y$%02d$", settings.bcryptCost()));
            case SHA512_CRYPT -> true;
        };
    }

    private String argon2Head() {
        return "$argon2id$v=19$m=" + settings.argon2MemoryKib() + ",t=" + settings.argon2Iterations() + ",p="
                + settings.argon2Parallelism() + "$";
    }

    private String argon2(char[] password) {
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        byte[] hash = argon2Raw(password, salt, settings.argon2MemoryKib(), settings.argon2Iterations(),
                settings.argon2Parallelism(), 32);
        return PasswordScheme.ARGON2ID.prefix() + argon2Head() + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
    }

    private static byte[] argon2Raw(char[] password, byte[] salt, int memoryKib, int iterations, int parallelism,
            int length) {
        Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13).withSalt(salt).withMemoryAsKB(memoryKib)
                .withIterations(iterations).withParallelism(parallelism).build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(params);
        byte[] out = new byte[length];
        byte[] octets = utf8(password);
        try {
            generator.generateBytes(octets, out);
        } finally {
            Arrays.fill(octets, (byte) 0);
        }
        return out;
    }

    private static boolean verifyArgon2(String body, char[] password) {
        // $argon2id$v=19$m=65536,t=3,p=1$salt$hash (the PHC string format; v= may be absent for 0x10)
        String[] parts = body.split("\\$");
        if (parts.length != 6 || !parts[0].isEmpty() || !parts[1].equals("argon2id") || !parts[2].equals("v=19")) {
            return false;
        }
        int m = 0;
        int t = 0;
        int p = 0;
        for (String kv : parts[3].split(",")) {
            int eq = kv.indexOf('=');
            int value = Integer.parseInt(kv.substring(eq + 1));
            switch (kv.substring(0, eq)) {
                case "m" -> m = value;
                case "t" -> t = value;
                case "p" -> p = value;
                default -> {
                    return false;
                }
            }
        }
        if (m < 8 || m > MAX_ARGON2_MEMORY_KIB || t < 1 || t > MAX_ARGON2_ITERATIONS || p < 1 || p > 64) {
            return false;
        }
        byte[] salt = B64D.decode(parts[4]);
        byte[] expected = B64D.decode(parts[5]);
        if (expected.length < 4) {
            return false;
        }
        return MessageDigest.isEqual(expected, argon2Raw(password, salt, m, t, p, expected.length));
    }

    private String bcrypt(char[] password) {
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        return PasswordScheme.BLF_CRYPT.prefix()
                + OpenBSDBCrypt.generate("2y", bcryptOctets(password), salt, settings.bcryptCost());
    }

    private static byte[] bcryptOctets(char[] password) {
        byte[] octets = utf8(password);
        if (octets.length <= BCRYPT_MAX_OCTETS) {
            return octets;
        }
        byte[] cut = Arrays.copyOf(octets, BCRYPT_MAX_OCTETS);
        Arrays.fill(octets, (byte) 0);
        return cut;
    }

    private static boolean verifySha512Crypt(String body, char[] password) {
        if (!body.startsWith("$6$")) {
            return false;
        }
        byte[] octets = utf8(password);
        try {
            // Sha2Crypt takes the whole stored string as its salt argument and reads salt and rounds from it.
            String computed = Sha2Crypt.sha512Crypt(octets, body);
            return MessageDigest.isEqual(computed.getBytes(StandardCharsets.US_ASCII),
                    body.getBytes(StandardCharsets.US_ASCII));
        } finally {
            Arrays.fill(octets, (byte) 0);
        }
    }

    static byte[] utf8(char[] password) {
        ByteBuffer bb = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] out = new byte[bb.remaining()];
        bb.get(out);
        if (bb.hasArray()) {
            Arrays.fill(bb.array(), (byte) 0);
        }
        return out;
    }
}
