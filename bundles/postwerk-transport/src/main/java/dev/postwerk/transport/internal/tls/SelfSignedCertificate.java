package dev.postwerk.transport.internal.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The key store used when no key store is configured: a self-signed certificate for the host
 * name (plus localhost and the loopback addresses), made on first start and kept under the data
 * folder so clients that pinned it keep trusting it across restarts. Bouncy Castle builds the
 * certificate; the JDK makes the key and signs.
 */
public final class SelfSignedCertificate {

    /** The key store file name under the TLS folder. */
    public static final String KEYSTORE_FILE = "selfsigned.p12";
    private static final String PASSWORD_FILE = "selfsigned.pass";
    public static final String ALIAS = "postwerk";

    private SelfSignedCertificate() {
    }

    /** Loaded or created key store material for {@code hostName} under {@code folder}. */
    public record Material(Path keystore, String password) {
    }

    /** Returns the key store under {@code folder}, creating it first if it is missing. */
    public static synchronized Material obtain(Path folder, String hostName) throws IOException {
        Path keystore = folder.resolve(KEYSTORE_FILE);
        Path passwordFile = folder.resolve(PASSWORD_FILE);
        if (Files.isRegularFile(keystore) && Files.isRegularFile(passwordFile)) {
            String password = Files.readString(passwordFile, StandardCharsets.US_ASCII).trim();
            if (loads(keystore, password)) {
                return new Material(keystore, password);
            }
        }
        Files.createDirectories(folder);
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        try {
            KeyStore ks = create(hostName, password);
            // password first, then the key store, each written atomically; owner-only access
            writeAtomically(passwordFile, password.getBytes(StandardCharsets.US_ASCII));
            Path tmp = Files.createTempFile(folder, KEYSTORE_FILE, ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                ks.store(out, password.toCharArray());
            }
            restrict(tmp);
            fsync(tmp);
            Files.move(tmp, keystore, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot create a self-signed certificate: " + e.getMessage(), e);
        }
        return new Material(keystore, password);
    }

    static KeyStore create(String hostName, String password) throws GeneralSecurityException, IOException,
            OperatorCreationException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        Instant now = Instant.now();
        X500Name subject = new X500Name("CN=" + hostName.replaceAll("[,=+<>#;\"\\\\]", "") + ", O=Postwerk self-signed");
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                new BigInteger(64, new SecureRandom()).abs().add(BigInteger.ONE), Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(Duration.ofDays(3650))), subject, pair.getPublic());
        Set<String> names = new LinkedHashSet<>(List.of(hostName, "localhost"));
        List<GeneralName> alternatives = new ArrayList<>();
        for (String name : names) {
            alternatives.add(new GeneralName(GeneralName.dNSName, name));
        }
        alternatives.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        alternatives.add(new GeneralName(GeneralName.iPAddress, "::1"));
        builder.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(alternatives.toArray(new GeneralName[0])));
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true,
                new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        X509Certificate certificate = new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry(ALIAS, pair.getPrivate(), password.toCharArray(), new X509Certificate[] {certificate});
        return ks;
    }

    private static boolean loads(Path keystore, String password) {
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore.getInstance("PKCS12").load(in, password.toCharArray());
            return true;
        } catch (IOException | GeneralSecurityException e) {
            return false;
        }
    }

    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
        Files.write(tmp, bytes);
        restrict(tmp);
        fsync(tmp);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void fsync(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    private static void restrict(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: the data folder's own permissions protect the key
        }
    }
}
