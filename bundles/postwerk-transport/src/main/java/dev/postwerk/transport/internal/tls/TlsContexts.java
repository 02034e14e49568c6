package dev.postwerk.transport.internal.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * Server TLS settings shared by every listener (DESIGN.md rule 5): TLS 1.2 and 1.3 only, the
 * JDK's default cipher suites minus anything anonymous, NULL, export-grade, DES or RC4 (the JDK
 * already disables those by default; we filter again so a changed java.security cannot weaken us).
 */
public final class TlsContexts {

    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private TlsContexts() {
    }

    /** An SSLContext for the key store at {@code keystore} (PKCS#12, or JKS by content). */
    public static SSLContext serverContext(Path keystore, String password) throws IOException {
        try {
            KeyStore ks = KeyStore.getInstance(keystore.toString().toLowerCase(Locale.ROOT).endsWith(".jks") ? "JKS" : "PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                ks.load(in, password.toCharArray());
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load TLS key store " + keystore + ": " + e.getMessage(), e);
        }
    }

    /** The protocols to enable: ours that the JDK supports. */
    public static String[] protocols(SSLContext context) {
        List<String> supported = Arrays.asList(context.getSupportedSSLParameters().getProtocols());
        return PROTOCOLS.stream().filter(supported::contains).toArray(String[]::new);
    }

    /** The JDK's default suites without weak ones. */
    public static String[] cipherSuites(SSLContext context) {
        SSLParameters defaults = context.getDefaultSSLParameters();
        return Arrays.stream(defaults.getCipherSuites()).filter(TlsContexts::acceptable).toArray(String[]::new);
    }

    static boolean acceptable(String suite) {
        String s = suite.toUpperCase(Locale.ROOT);
        return !(s.contains("_ANON_") || s.contains("_NULL_") || s.contains("EXPORT") || s.contains("_DES_")
                || s.contains("_DES40_") || s.contains("_RC4_") || s.contains("_3DES_"));
    }
}
