package dev.postwerk.auth.file.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.postwerk.api.directory.ScramCredential;

import org.junit.jupiter.api.Test;

class ScramKeysTest {

    @Test
    void derivedKeysVerifyTheRfc7677Exchange() throws Exception {
        // RFC 7677 §3: user "user", password "pencil"
        ScramCredential c = ScramKeys.derive("pencil".toCharArray(),
                Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
        String authMessage = "n=user,r=rOprNGfwEbeRWgbNEkqO,"
                + "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,"
                + "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        byte[] proof = Base64.getDecoder().decode("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
        byte[] clientSignature = hmac(c.storedKey(), authMessage);
        byte[] clientKey = new byte[proof.length];
        for (int i = 0; i < proof.length; i++) {
            clientKey[i] = (byte) (proof[i] ^ clientSignature[i]);
        }
        assertArrayEquals(c.storedKey(), MessageDigest.getInstance("SHA-256").digest(clientKey));
        assertEquals("6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
                Base64.getEncoder().encodeToString(hmac(c.serverKey(), authMessage)));
    }

    @Test
    void storedFormRoundTrips() {
        ScramCredential c = ScramKeys.derive("pencil".toCharArray(), new byte[] {1, 2, 3, 4}, 4096);
        String text = ScramKeys.format(c);
        assertTrue(text.startsWith("4096,AQIDBA==,"), text);
        ScramCredential back = ScramKeys.parse(text).orElseThrow();
        assertArrayEquals(c.storedKey(), back.storedKey());
        assertArrayEquals(c.serverKey(), back.serverKey());
        assertArrayEquals(c.salt(), back.salt());
        assertEquals(4096, back.iterations());
        assertTrue(ScramKeys.parse("4096,AQID").isEmpty());
        assertTrue(ScramKeys.parse("x,AQID,AQID,AQID").isEmpty());
    }

    private static byte[] hmac(byte[] key, String text) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(text.getBytes(StandardCharsets.US_ASCII));
    }
}
