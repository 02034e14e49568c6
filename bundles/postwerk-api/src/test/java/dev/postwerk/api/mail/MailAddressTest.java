package dev.postwerk.api.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MailAddressTest {

    @Test
    void parsesSimpleMailboxAndLowerCasesDomainOnly() {
        MailAddress a = MailAddress.parse("John.Doe@Example.COM");
        assertEquals("John.Doe", a.localPart());
        assertEquals("example.com", a.domain());
        assertEquals("John.Doe@example.com", a.toString());
        assertEquals(a, MailAddress.parse("John.Doe@example.com"));
        assertFalse(a.equals(MailAddress.parse("john.doe@example.com")));
    }

    @Test
    void quotedLocalPartIsUnquotedAndRequotedOnOutput() {
        MailAddress a = MailAddress.parse("\"john \\\"j\\\" doe\"@example.com");
        assertEquals("john \"j\" doe", a.localPart());
        assertEquals("\"john \\\"j\\\" doe\"@example.com", a.toString());
        assertEquals("user@other.test", MailAddress.parse("\"user@other.test\"@local").localPart());
    }

    @Test
    void nullReversePathIsEmpty() {
        assertEquals(Optional.empty(), MailAddress.parsePath("<>"));
    }

    @Test
    void sourceRouteIsAcceptedAndIgnored() {
        MailAddress a = MailAddress.parsePath("<@local,@relay.test:user@other.test>").orElseThrow();
        assertEquals("user@other.test", a.toString());
    }

    @Test
    void openRelayTricksStayLocalPartsOfTheLocalDomain() {
        assertEquals("local", MailAddress.parse("user%other.test@local").domain());
        assertEquals("user%other.test", MailAddress.parse("user%other.test@local").localPart());
        assertEquals("local", MailAddress.parse("other.test!user@local").domain());
    }

    @Test
    void internationalAddressesPerRfc6531() {
        MailAddress a = MailAddress.parse("jösé@bücher.example");
        assertTrue(a.isInternational());
        assertEquals("bücher.example", a.domain());
        assertEquals("xn--bcher-kva.example", a.asciiDomain());
        assertFalse(MailAddress.parse("a@b.example").isInternational());
    }

    @Test
    void addressLiterals() {
        assertEquals("[192.0.2.1]", MailAddress.parse("postmaster@[192.0.2.1]").domain());
        assertEquals("[IPv6:2001:db8::1]", MailAddress.parse("x@[IPv6:2001:DB8::1]").domain());
        assertThrows(InvalidAddressException.class, () -> MailAddress.parse("x@[300.1.1.1]"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "@example.com", "user@", "user", "us er@example.com", "user@exa mple.com",
        ".user@example.com", "user.@example.com", "us..er@example.com", "user@-example.com", "user@example-.com",
        "user@example..com", "\"unterminated@example.com", "user@example.com>", "a\u0001b@example.com"})
    void rejectsInvalidMailboxes(String input) {
        assertThrows(InvalidAddressException.class, () -> MailAddress.parse(input));
    }

    @ParameterizedTest
    @ValueSource(strings = {"user@example.com", "<user@example.com", "<<>>", "<> ", "<@a:>", "<@a user@b>"})
    void rejectsInvalidPaths(String input) {
        assertThrows(InvalidAddressException.class, () -> MailAddress.parsePath(input));
    }

    @Test
    void enforcesRfc5321Lengths() {
        String local64 = "a".repeat(64);
        assertEquals(local64, MailAddress.parse(local64 + "@example.com").localPart());
        assertThrows(InvalidAddressException.class, () -> MailAddress.parse("a" + local64 + "@example.com"));
        String longPath = "<" + "a".repeat(60) + "@" + ("b".repeat(60) + ".").repeat(4) + "com>";
        assertThrows(InvalidAddressException.class, () -> MailAddress.parsePath(longPath));
        assertThrows(InvalidAddressException.class, () -> MailAddress.parse("a@" + "b".repeat(64) + ".com"));
    }

    @Test
    void pathLengthSkipsQuotedAngleBrackets() {
        String line = "<\"a>b\"@example.com> SIZE=100";
        int len = MailAddress.pathLength(line, 0);
        assertEquals("<\"a>b\"@example.com>", line.substring(0, len));
        assertEquals(-1, MailAddress.pathLength("<abc", 0));
        assertEquals(-1, MailAddress.pathLength("abc>", 0));
    }

    @Test
    void ofChecksBothParts() {
        assertEquals("\"a b\"@example.com", MailAddress.of("a b", "EXAMPLE.com").toString());
        assertThrows(InvalidAddressException.class, () -> MailAddress.of("", "example.com"));
        assertThrows(InvalidAddressException.class, () -> MailAddress.of("a", "bad domain"));
    }
}
