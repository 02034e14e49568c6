package dev.postwerk.transport.internal.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsContextsTest {

    @TempDir
    Path dir;

    @Test
    void generatedCertificateIsKeptAcrossRestarts() throws Exception {
        SelfSignedCertificate.Material first = SelfSignedCertificate.obtain(dir, "mx.example.test");
        byte[] bytes = Files.readAllBytes(first.keystore());
        SelfSignedCertificate.Material second = SelfSignedCertificate.obtain(dir, "mx.example.test");
        assertArrayEquals(bytes, Files.readAllBytes(second.keystore()));
        assertEquals(first.password(), second.password());
        SSLContext context = TlsContexts.serverContext(second.keystore(), second.password());
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), Arrays.asList(TlsContexts.protocols(context)));
    }

    @Test
    void onlyStrongSuitesAreEnabled() throws Exception {
        SelfSignedCertificate.Material m = SelfSignedCertificate.obtain(dir, "localhost");
        String[] suites = TlsContexts.cipherSuites(TlsContexts.serverContext(m.keystore(), m.password()));
        assertTrue(suites.length > 0);
        for (String suite : suites) {
            assertFalse(suite.contains("anon") || suite.contains("NULL") || suite.contains("EXPORT")
                    || suite.contains("RC4") || suite.contains("_DES_"), suite);
        }
        assertFalse(TlsContexts.acceptable("TLS_DH_anon_WITH_AES_128_CBC_SHA"));
        assertFalse(TlsContexts.acceptable("SSL_RSA_EXPORT_WITH_RC4_40_MD5"));
        assertTrue(TlsContexts.acceptable("TLS_AES_128_GCM_SHA256"));
    }
}
