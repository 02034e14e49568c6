import java.nio.charset.StandardCharsets;
import org.apache.commons.codec.digest.Sha2Crypt;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * CPU cost of one password verification per scheme, with the same libraries (and calls) the
 * postwerk-auth-file bundle uses: commons-codec Sha2Crypt for {SHA512-CRYPT}, Bouncy Castle for
 * Argon2id and bcrypt.  Single thread, after a JIT warm-up.  Run by benchmarks/run.sh hashcost:
 *   java -cp bcprov.jar:commons-codec.jar benchmarks/lib/HashCost.java
 */
public class HashCost {
    interface Op { void run(); }

    static double ms(Op op, int warm, int n) {
        for (int i = 0; i < warm; i++) op.run();
        long t = System.nanoTime();
        for (int i = 0; i < n; i++) op.run();
        return (System.nanoTime() - t) / 1e6 / n;
    }

    static byte[] argon2(int m, int t) {
        Argon2Parameters p = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13).withSalt(new byte[16]).withMemoryAsKB(m)
                .withIterations(t).withParallelism(1).build();
        Argon2BytesGenerator g = new Argon2BytesGenerator();
        g.init(p);
        byte[] out = new byte[32];
        g.generateBytes("pass".getBytes(StandardCharsets.UTF_8), out);
        return out;
    }

    public static void main(String[] a) {
        byte[] pw = "pass".getBytes(StandardCharsets.UTF_8);
        String sha = Sha2Crypt.sha512Crypt(pw, "$6$benchsalt");
        String bc4 = OpenBSDBCrypt.generate("2y", pw, new byte[16], 4);
        String bc10 = OpenBSDBCrypt.generate("2y", pw, new byte[16], 10);
        System.out.printf("RESULT hashcost scheme=SHA512-CRYPT rounds=5000 ms=%.3f%n", ms(() -> Sha2Crypt.sha512Crypt(pw, sha), 200, 400));
        System.out.printf("RESULT hashcost scheme=BLF-CRYPT cost=4 ms=%.3f%n", ms(() -> OpenBSDBCrypt.checkPassword(bc4, pw), 200, 400));
        System.out.printf("RESULT hashcost scheme=BLF-CRYPT cost=10 ms=%.3f%n", ms(() -> OpenBSDBCrypt.checkPassword(bc10, pw), 5, 20));
        System.out.printf("RESULT hashcost scheme=ARGON2ID m=64 t=1 p=1 ms=%.3f%n", ms(() -> argon2(64, 1), 200, 1000));
        System.out.printf("RESULT hashcost scheme=ARGON2ID m=19456 t=2 p=1 ms=%.3f%n", ms(() -> argon2(19456, 2), 5, 20));
    }
}
