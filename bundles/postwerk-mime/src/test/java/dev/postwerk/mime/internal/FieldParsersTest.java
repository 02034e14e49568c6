package dev.postwerk.mime.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.postwerk.api.mail.EnvelopeAddress;
import dev.postwerk.api.mail.MimeParameter;
import dev.postwerk.mime.internal.MimeFields.MediaType;

class FieldParsersTest {

    private static EnvelopeAddress addr(String name, String mailbox, String host) {
        return EnvelopeAddress.of(Optional.ofNullable(name), mailbox, host);
    }

    @Test
    void addressesInTheirCommonShapes() {
        assertEquals(List.of(addr(null, "a", "b.example")), AddressListParser.parse("a@b.example"));
        assertEquals(List.of(addr("John Q. Public", "john.q.public", "example.com")),
                AddressListParser.parse("John Q. Public <john.q.public@example.com>"));
        assertEquals(List.of(addr("Joe", "joe", "example.com")), AddressListParser.parse("joe@example.com (Joe)"));
        assertEquals(List.of(addr("Pete", "pete", "silly.test")),
                AddressListParser.parse("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>"));
        assertEquals(List.of(addr(null, "john doe", "example.com")), AddressListParser.parse("\"john doe\"@example.com"));
        assertEquals(List.of(addr("Mary", "mary", "[192.0.2.1]")), AddressListParser.parse("Mary <mary@[192.0.2.1]>"));
        assertEquals(List.of(addr("a \"quoted\" name", "q", "x.example")),
                AddressListParser.parse("\"a \\\"quoted\\\" name\" <q@x.example>"));
        assertEquals(List.of(addr(null, "a", "b"), addr(null, "c", "d")), AddressListParser.parse(" a@b ,, c@d , "));
    }

    @Test
    void groupsBecomeStartAndEndMarkers() {
        assertEquals(List.of(EnvelopeAddress.groupStart("A Group"), addr("Ed Jones", "c", "a.test"), addr(null, "joe", "where.test"),
                addr("John", "jdoe", "one.test"), EnvelopeAddress.groupEnd(), addr(null, "after", "x.test")),
                AddressListParser.parse("A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>; after@x.test"));
        assertEquals(List.of(EnvelopeAddress.groupStart("Undisclosed recipients"), EnvelopeAddress.groupEnd()),
                AddressListParser.parse("Undisclosed recipients:;"));
        assertEquals(List.of(EnvelopeAddress.groupStart("open"), addr(null, "a", "b"), EnvelopeAddress.groupEnd()),
                AddressListParser.parse("open: a@b"), "a group never closed ends with the field");
    }

    @Test
    void garbageNeverThrows() {
        for (String s : List.of("", ",", ";;", "<", ">", "@", "\"", "(", "((", "a@", "<a@", "<@", "<@x:", ":", "a:b:c;",
                "\"unterminated", "(unterminated", "[", "a@[x", "a@b c d", "<a@b> junk <c@d>", "\\", "a\\")) {
            AddressListParser.parse(s);
        }
        assertEquals(List.of(addr(null, "a", "b")), AddressListParser.parse("<a@b> junk <c@d>"));
        assertEquals(List.of(addr(null, "a", "b")), AddressListParser.parse("a@b c d"));
    }

    @Test
    void mediaTypesKeepCaseOrderAndRawValues() {
        MediaType t = MimeFields.mediaType("Text/HTML; Charset=\"UTF-8\"; format=flowed; name==?UTF-8?B?w7w=?=")
                .orElseThrow();
        assertEquals("Text", t.type());
        assertEquals("HTML", t.subtype());
        assertEquals(List.of(new MimeParameter("Charset", "UTF-8"), new MimeParameter("format", "flowed"),
                new MimeParameter("name", "=?UTF-8?B?w7w=?=")), t.parameters());
        assertEquals(List.of(new MimeParameter("boundary", "----=_NextPart_000_0012_01DB")),
                MimeFields.mediaType("multipart/mixed;\tboundary=----=_NextPart_000_0012_01DB").orElseThrow().parameters());
        assertEquals(List.of(new MimeParameter("a", "1"), new MimeParameter("c", "3")),
                MimeFields.mediaType("x/y; a=1; b; junk junk; c=3 (comment);").orElseThrow().parameters());
        assertEquals(Optional.empty(), MimeFields.mediaType("text plain"));
        assertEquals(List.of("en-US", "de"), MimeFields.languages(" en-US ,(x) de"));
        assertEquals(Optional.of("BASE64"), MimeFields.encoding(" BASE64 (encoded)"));
        assertEquals(Optional.empty(), MimeFields.disposition("; filename=x"));
    }

    @Test
    void rfc2231SectionsJoinInOrderAndPlainOnesStayPlain() {
        assertEquals(List.of(new MimeParameter("title", "abc"), new MimeParameter("x", "1")),
                MimeFields.joinContinuations(List.of(new MimeParameter("title*1", "b"), new MimeParameter("x", "1"),
                        new MimeParameter("title*0", "a"), new MimeParameter("TITLE*2", "c"))));
        assertEquals(List.of(new MimeParameter("title*", "''a%20b%C3%BCc")),
                MimeFields.joinContinuations(List.of(new MimeParameter("title*0", "a b\u00fc"), new MimeParameter("title*1*", "c"))));
        assertEquals(List.of(new MimeParameter("title*", "us-ascii'en'x")),
                MimeFields.joinContinuations(List.of(new MimeParameter("title*", "us-ascii'en'x"))));
    }
}
