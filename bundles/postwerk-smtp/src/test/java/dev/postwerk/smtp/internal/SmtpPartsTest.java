package dev.postwerk.smtp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.postwerk.api.mail.MailAddress;
import dev.postwerk.api.mail.Origin;
import dev.postwerk.api.mail.Recipient;

class SmtpPartsTest {

    @Test
    void networksMatchCidrBlocksOfBothFamilies() throws Exception {
        Networks n = Networks.parse("127.0.0.0/8, 192.0.2.128/25", "2001:db8::/32");
        assertTrue(n.contains(InetAddress.getByName("127.1.2.3")));
        assertTrue(n.contains(InetAddress.getByName("192.0.2.200")));
        assertFalse(n.contains(InetAddress.getByName("192.0.2.100")));
        assertTrue(n.contains(InetAddress.getByName("2001:db8:1::5")));
        assertFalse(n.contains(InetAddress.getByName("2001:db9::1")));
        assertTrue(Networks.parse("10.0.0.1").contains(InetAddress.getByName("10.0.0.1")));
        assertThrows(IllegalArgumentException.class, () -> Networks.parse("example.com/8"));
        assertThrows(IllegalArgumentException.class, () -> Networks.parse("10.0.0.0/33"));
    }

    @Test
    void xtextDecodesHexPairsAndRefusesMalformedInput() {
        assertEquals(Optional.of("a+b=c"), Xtext.decode("a+2Bb+3Dc"));
        assertEquals(Optional.empty(), Xtext.decode("a+2"));
        assertEquals(Optional.empty(), Xtext.decode("a+2b"));
        assertEquals(Optional.empty(), Xtext.decode("a=b"));
        assertEquals(Optional.empty(), Xtext.decode("a b"));
    }

    @Test
    void receivedHeaderNamesProtocolTlsAuthAndSingleRecipient() {
        Origin origin = new Origin("id1", "mx", new InetSocketAddress("192.0.2.7", 5000), Optional.of("helo(evil);x"),
                Optional.of("alice@example.test"), Optional.of("TLSv1.3 TLS_AES_256_GCM_SHA384"));
        String h = ReceivedHeader.build(origin, true, false, "mx.example.test", "T1",
                List.of(Recipient.of(MailAddress.parse("bob@example.test"))),
                ZonedDateTime.of(2026, 11, 26, 18, 0, 0, 0, ZoneOffset.UTC));
        assertEquals("Received: from helo_evil__x ([192.0.2.7])\r\n\tby mx.example.test (Postwerk) with ESMTPSA id T1"
                + "\r\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384)\r\n\t(Authenticated sender: alice@example.test)"
                + "\r\n\tfor <bob@example.test>;\r\n\tThu, 26 Nov 2026 18:00:00 +0000\r\n", h);
        assertEquals("SMTP", ReceivedHeader.protocol(false, false, false, false));
        assertEquals("UTF8SMTPS", ReceivedHeader.protocol(true, true, true, false));
    }

    @Test
    void mailboxFullAnswersAreKeptForTheirTimeToLive() {
        MailboxFullCache cache = new MailboxFullCache(5_000);
        int[] checks = {0};
        java.util.function.BooleanSupplier full = () -> {
            checks[0]++;
            return true;
        };
        assertTrue(cache.isFull("a", full, 0));
        assertTrue(cache.isFull("a", full, 4_999));
        assertEquals(1, checks[0]);
        assertTrue(cache.isFull("a", full, 5_000));
        assertEquals(2, checks[0]);
        assertFalse(cache.isFull("b", () -> false, 5_000));
    }
}
