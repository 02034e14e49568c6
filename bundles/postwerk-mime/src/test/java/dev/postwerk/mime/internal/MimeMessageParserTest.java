package dev.postwerk.mime.internal;

import static dev.postwerk.mime.internal.Messages.body;
import static dev.postwerk.mime.internal.Messages.crlf;
import static dev.postwerk.mime.internal.Messages.lf;
import static dev.postwerk.mime.internal.Messages.mimeHeader;
import static dev.postwerk.mime.internal.Messages.parse;
import static dev.postwerk.mime.internal.Messages.range;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.postwerk.api.mail.BodyPart;
import dev.postwerk.api.mail.ContentDisposition;
import dev.postwerk.api.mail.EnvelopeAddress;
import dev.postwerk.api.mail.EnvelopeFields;
import dev.postwerk.api.mail.MessageStructure;
import dev.postwerk.api.mail.MimeParameter;

class MimeMessageParserTest {

    @Test
    void messageWithoutContentTypeIsUsAsciiPlainText() {
        byte[] raw = crlf(Messages.NO_CONTENT_TYPE);
        MessageStructure s = parse(raw);
        BodyPart b = s.body();
        assertEquals("TEXT", b.type());
        assertEquals("PLAIN", b.subtype());
        assertEquals(List.of(new MimeParameter("CHARSET", "US-ASCII")), b.parameters());
        assertEquals("7BIT", b.encoding());
        assertEquals("Just text.\r\nTwo lines.\r\n", body(raw, b));
        assertEquals(2, b.lines());
        assertEquals(b.end() - b.bodyStart(), b.size());
        assertTrue(mimeHeader(raw, b).startsWith("From: frank@example.com\r\n"));
        assertTrue(mimeHeader(raw, b).endsWith("plain old mail\r\n\r\n"), "the header includes the empty line");
        assertEquals(Optional.of(b), s.part(1), "a single-part message has part 1: its body");
        assertEquals(Optional.empty(), s.part(2));
        assertEquals(Optional.of(b), s.part(1, 1), "as Dovecot: 1.1 of a leaf is the leaf");
    }

    @Test
    void multipartMixedWithAttachmentHasExactPartRanges() {
        byte[] raw = crlf(Messages.MIXED_WITH_ATTACHMENT);
        MessageStructure s = parse(raw);
        BodyPart root = s.body();
        assertTrue(root.isMultipart());
        assertEquals("multipart", root.type());
        assertEquals("mixed", root.subtype());
        assertEquals(Optional.of("----=_Part_0_1.2"), root.parameter("BOUNDARY"));
        assertEquals(2, root.parts().size());

        BodyPart text = s.part(1).orElseThrow();
        assertTrue(text.is("text", "plain"));
        assertEquals(List.of(new MimeParameter("charset", "UTF-8")), text.parameters());
        assertEquals("quoted-printable", text.encoding());
        assertEquals("Hello Alice,\r\nthe report is attached.\r\n=E2=80=94 Carol", body(raw, text),
                "the line break before the delimiter belongs to the delimiter");
        assertEquals(3, text.lines());
        assertEquals("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n",
                mimeHeader(raw, text));

        BodyPart pdf = s.part(2).orElseThrow();
        assertTrue(pdf.is("APPLICATION", "PDF"));
        assertEquals(List.of(new MimeParameter("name", "report.pdf")), pdf.parameters());
        assertEquals("base64", pdf.encoding());
        assertEquals(Optional.of(new ContentDisposition("attachment",
                List.of(new MimeParameter("filename", "report.pdf"), new MimeParameter("size", "1024")))),
                pdf.disposition());
        assertEquals(Optional.of("<att-1@example.net>"), pdf.id());
        assertEquals(Optional.of("The report"), pdf.description());
        assertTrue(body(raw, pdf).startsWith("JVBERi0x"));
        assertTrue(body(raw, pdf).endsWith("UDAF"));
        assertEquals(2, pdf.lines());

        assertEquals(raw.length, root.end());
        assertTrue(body(raw, root).startsWith("This is a multi-part message"), "BODY[TEXT] keeps the preamble");
        EnvelopeFields e = s.envelope();
        assertEquals(Optional.of("Report"), e.subject());
        assertEquals(Optional.of("Tue, 25 Nov 2026 09:59:58 +0100"), e.date());
        assertEquals(Optional.of("<report-1@example.net>"), e.messageId());
        assertEquals(List.of(EnvelopeAddress.of(Optional.of("Carol Example"), "carol", "example.net")), e.from());
        assertEquals(e.from(), e.sender(), "RFC 3501 §7.4.2: Sender defaults to From");
        assertEquals(e.from(), e.replyTo(), "and so does Reply-To");
        assertEquals(List.of(EnvelopeAddress.of(Optional.empty(), "alice", "example.com")), e.to());
        assertEquals(List.of(), e.cc());
        assertEquals(Optional.empty(), e.inReplyTo());
    }

    @Test
    void alternativeInsideMixedIsNumberedAsImapDoes() {
        byte[] raw = crlf(Messages.ALTERNATIVE_IN_MIXED);
        MessageStructure s = parse(raw);
        BodyPart alternative = s.part(1).orElseThrow();
        assertTrue(alternative.is("multipart", "alternative"));
        assertEquals("See the picture.", body(raw, s.part(1, 1).orElseThrow()));
        BodyPart html = s.part(1, 2).orElseThrow();
        assertEquals("<p>See the <b>picture</b>.</p>", body(raw, html));
        assertEquals(List.of("en", "de"), html.language());
        assertEquals(1, html.lines());
        BodyPart png = s.part(2).orElseThrow();
        assertTrue(png.is("image", "png"));
        assertTrue(body(raw, png).startsWith("iVBOR"));
        assertEquals(Optional.of(new ContentDisposition("inline", List.of())), png.disposition());
        assertEquals(Optional.empty(), s.part(3));
        assertEquals(Optional.empty(), s.part(1, 3));
        assertEquals(Optional.empty(), s.part(0));
        // The alternative's body runs from after its header to its close delimiter's line break.
        assertTrue(body(raw, alternative).startsWith("--inner\r\n"));
        assertTrue(body(raw, alternative).endsWith("--inner--"));
        List<EnvelopeAddress> to = s.envelope().to();
        assertEquals(List.of(EnvelopeAddress.of(Optional.of("Alice"), "alice", "example.com"),
                EnvelopeAddress.of(Optional.of("Doe, John"), "john", "example.com")), to);
        assertEquals(List.of(EnvelopeAddress.of(Optional.of("Bob B."), "bob", "example.org")), s.envelope().from());
    }

    @Test
    void forwardedMessageHasItsOwnEnvelopeAndParts() {
        byte[] raw = crlf(Messages.FORWARDED_MESSAGE);
        MessageStructure s = parse(raw);
        BodyPart rfc822 = s.part(2).orElseThrow();
        assertTrue(rfc822.is("message", "rfc822"));
        MessageStructure embedded = rfc822.message().orElseThrow();
        assertEquals(Optional.of("Minutes"), embedded.envelope().subject());
        assertEquals(Optional.of("<agenda@example.org>"), embedded.envelope().inReplyTo());
        assertEquals(List.of(EnvelopeAddress.of(Optional.empty(), "dave", "example.com")), embedded.envelope().cc());
        assertEquals(List.of(EnvelopeAddress.of(Optional.empty(), "team", "example.org")), embedded.envelope().to());
        // BODY[2.HEADER] and BODY[2.TEXT] are the embedded message's header and body.
        BodyPart inner = embedded.body();
        assertTrue(mimeHeader(raw, inner).startsWith("From: Erin <erin@example.org>\r\n"));
        assertTrue(mimeHeader(raw, inner).endsWith("boundary=\"min\"\r\n\r\n"));
        assertTrue(body(raw, inner).startsWith("--min\r\n"));
        assertTrue(body(raw, inner).endsWith("--min--\r\n"), "the empty line before --fwd-- ends the body");
        assertEquals(body(raw, rfc822), range(raw, inner.headerStart(), inner.end()), "BODY[2] is the whole message");
        assertEquals(embedded.body().lines() + countLines(mimeHeader(raw, inner)), rfc822.lines());
        assertEquals("1. Budget\r\n2. Plans", body(raw, s.part(2, 1).orElseThrow()));
        assertEquals("<ol><li>Budget</li><li>Plans</li></ol>", body(raw, s.part(2, 2).orElseThrow()));
        assertEquals(Optional.empty(), s.part(2, 3));
        assertEquals("Forwarding the minutes.\r\n", body(raw, s.part(1).orElseThrow()));
        assertEquals(Optional.of(new ContentDisposition("attachment", List.of())), rfc822.disposition());
    }

    private static long countLines(String s) {
        return s.chars().filter(c -> c == '\n').count();
    }

    @Test
    void embeddedMessageThatIsNotMultipartIsItsOwnPartOne() {
        byte[] raw = crlf("""
                Content-Type: multipart/mixed; boundary=b

                --b
                Content-Type: message/rfc822

                Subject: inner

                inner body
                --b--
                """);
        MessageStructure s = parse(raw);
        BodyPart message = s.part(1).orElseThrow();
        BodyPart innerBody = message.message().orElseThrow().body();
        assertEquals(Optional.of(innerBody), s.part(1, 1), "1.1 is the embedded message's body");
        assertEquals("inner body", body(raw, innerBody));
        assertEquals(3, message.lines());
    }

    @Test
    void lineFeedOnlyMessagesHaveOffsetsOfTheirOwnBytes() {
        byte[] raw = lf(Messages.ALTERNATIVE_IN_MIXED);
        MessageStructure s = parse(raw);
        assertEquals("See the picture.", body(raw, s.part(1, 1).orElseThrow()));
        assertEquals("<p>See the <b>picture</b>.</p>", body(raw, s.part(1, 2).orElseThrow()));
        assertTrue(mimeHeader(raw, s.part(2).orElseThrow()).endsWith("inline\n\n"));
        assertEquals(Optional.of("Pictures"), s.envelope().subject());
    }

    @Test
    void missingCloseDelimiterEndsThePartsAtTheEnd() {
        byte[] raw = crlf("""
                Content-Type: multipart/mixed; boundary=x

                --x
                Content-Type: text/plain

                first
                --x
                Content-Type: text/plain

                second, cut off""").clone();
        MessageStructure s = parse(raw);
        assertEquals(2, s.body().parts().size());
        BodyPart second = s.part(2).orElseThrow();
        assertEquals("second, cut off", body(raw, second));
        assertEquals(1, second.lines(), "a last line without line break is a line");
        assertEquals(raw.length, second.end());
    }

    @Test
    void innerMultipartWithoutCloseDelimiterIsClosedByTheOuterBoundary() {
        byte[] raw = crlf("""
                Content-Type: multipart/mixed; boundary=outer

                --outer
                Content-Type: multipart/alternative; boundary=inner

                --inner
                Content-Type: text/plain

                plain
                --outer
                Content-Type: text/plain

                after
                --outer--
                """);
        MessageStructure s = parse(raw);
        assertEquals(2, s.body().parts().size());
        assertEquals("plain", body(raw, s.part(1, 1).orElseThrow()));
        assertEquals("after", body(raw, s.part(2).orElseThrow()));
    }

    @Test
    void boundariesThatArePrefixesOfEachOtherAreTold() {
        byte[] raw = crlf("""
                Content-Type: multipart/mixed; boundary=abc

                --abc
                Content-Type: multipart/alternative; boundary=abcdef

                --abcdef
                Content-Type: text/plain

                one
                --abcdef--
                --abc
                Content-Type: text/plain

                two
                --abc--
                """);
        MessageStructure s = parse(raw);
        assertEquals("one", body(raw, s.part(1, 1).orElseThrow()));
        assertEquals("two", body(raw, s.part(2).orElseThrow()));

        byte[] reversed = crlf("""
                Content-Type: multipart/mixed; boundary=abcdef

                --abcdef
                Content-Type: multipart/alternative; boundary=abc

                --abc
                Content-Type: text/plain

                one
                --abcdef
                Content-Type: text/plain

                two
                --abcdef--
                """);
        MessageStructure r = parse(reversed);
        assertEquals(2, r.body().parts().size(), "--abcdef is the outer delimiter, not junk after --abc");
        assertEquals("one", body(reversed, r.part(1, 1).orElseThrow()));
        assertEquals("two", body(reversed, r.part(2).orElseThrow()));
    }

    @Test
    void delimiterWithTransportPaddingOrJunkStillCounts() {
        byte[] raw = crlf("""
                Content-Type: multipart/mixed; boundary=b

                --b\t\s
                Content-Type: text/plain

                padded
                --b junk after the boundary
                Content-Type: text/plain

                junk
                --b--  \s
                epilogue
                """);
        MessageStructure s = parse(raw);
        assertEquals(2, s.body().parts().size());
        assertEquals("padded", body(raw, s.part(1).orElseThrow()));
        assertEquals("junk", body(raw, s.part(2).orElseThrow()));
    }

    @Test
    void partWithoutHeaderOrWithoutBodyIsMeasuredExactly() {
        byte[] raw = crlf("""
                Content-Type: multipart/mixed; boundary=b

                --b

                no header here
                --b
                Content-Type: text/plain
                --b

                --b--
                """);
        MessageStructure s = parse(raw);
        assertEquals(3, s.body().parts().size());
        BodyPart first = s.part(1).orElseThrow();
        assertTrue(first.is("text", "plain"), "default type for a part without header");
        assertEquals("\r\n", mimeHeader(raw, first));
        assertEquals("no header here", body(raw, first));
        BodyPart second = s.part(2).orElseThrow();
        assertEquals(0, second.size(), "all header, no body (RFC 2046 §5.1.1)");
        assertEquals("Content-Type: text/plain", mimeHeader(raw, second));
        BodyPart third = s.part(3).orElseThrow();
        assertEquals(0, third.size());
        assertEquals(0, third.lines());
    }

    @Test
    void multipartWithoutBoundaryOrWithoutAnyPartIsPlainText() {
        byte[] noBoundary = crlf("""
                Content-Type: multipart/mixed

                --whatever
                text
                """);
        MessageStructure a = parse(noBoundary);
        assertTrue(a.body().is("text", "plain"));
        assertFalse(a.body().isMultipart());
        assertEquals("--whatever\r\ntext\r\n", body(noBoundary, a.body()));
        assertEquals(2, a.body().lines());

        byte[] noDelimiter = crlf("""
                Content-Type: multipart/mixed; boundary=never

                just text
                """);
        MessageStructure b = parse(noDelimiter);
        assertTrue(b.body().is("text", "plain"));
        assertEquals("just text\r\n", body(noDelimiter, b.body()));
    }

    @Test
    void malformedHeadersNeverStopTheParse() {
        byte[] raw = crlf("""
                This line is no header field
                Subject: still read
                : empty name
                Bad Name: has a space
                X-Long: a
                  folded
                 \tvalue
                Content-Type: text/html; charset="utf-8"; (comment) format=flowed
                Content-Type: text/plain
                \u0001\u0002 binary junk
                From: <>, "Only Name", broken@, @no.local, <angle@only.example>,
                 Group: a@b.example, c@d.example;, x@y.example (Comment Name)
                To: undisclosed-recipients:;

                body
                """);
        MessageStructure s = parse(raw);
        assertTrue(s.body().is("text", "html"), "the first Content-Type counts");
        assertEquals(List.of(new MimeParameter("charset", "utf-8"), new MimeParameter("format", "flowed")),
                s.body().parameters());
        assertEquals(Optional.of("still read"), s.envelope().subject());
        assertEquals("body\r\n", body(raw, s.body()));
        assertEquals(List.of(EnvelopeAddress.groupStart("undisclosed-recipients"), EnvelopeAddress.groupEnd()),
                s.envelope().to());
        List<EnvelopeAddress> from = s.envelope().from();
        assertEquals(List.of(
                EnvelopeAddress.of(Optional.empty(), "Only Name", EnvelopeAddress.MISSING_DOMAIN),
                EnvelopeAddress.of(Optional.empty(), "broken", EnvelopeAddress.MISSING_DOMAIN),
                EnvelopeAddress.of(Optional.empty(), "angle", "only.example"),
                EnvelopeAddress.groupStart("Group"),
                EnvelopeAddress.of(Optional.empty(), "a", "b.example"),
                EnvelopeAddress.of(Optional.empty(), "c", "d.example"),
                EnvelopeAddress.groupEnd(),
                EnvelopeAddress.of(Optional.of("Comment Name"), "x", "y.example")), from);
    }

    @Test
    void invalidContentTypeFallsBackToTheDefault() {
        for (String ct : List.of("text", "/plain", "text/", "; charset=utf-8", "(only a comment)", "")) {
            byte[] raw = crlf("Content-Type: " + ct + "\n\nx\n");
            BodyPart b = parse(raw).body();
            assertTrue(b.is("text", "plain"), ct);
            assertEquals(Optional.of("US-ASCII"), b.parameter("charset"), ct);
        }
    }

    @Test
    void headerWithoutEmptyLineIsAllHeader() {
        byte[] raw = crlf("From: a@b.example\nSubject: no body");
        MessageStructure s = parse(raw);
        assertEquals(raw.length, s.body().bodyStart());
        assertEquals(0, s.body().size());
        assertEquals(Optional.of("no body"), s.envelope().subject());
        MessageStructure empty = parse(new byte[0]);
        assertEquals(0, empty.body().end());
        assertEquals(EnvelopeFields.EMPTY, empty.envelope());
    }

    @Test
    void envelopeKeepsEncodedWordsAndUnfoldsButDoesNotDecode() {
        byte[] raw = crlf("""
                Date: Wed, 26 Nov 2026
                 08:00:00 +0100
                Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=
                 =?UTF-8?B?YXVzIEvDtmxu?=
                From: =?ISO-8859-1?Q?J=F6rg?= <joerg@example.de>
                Sender: "=?UTF-8?Q?Secr=C3=A9taire?=" <sec@example.fr>
                Reply-To: Team: =?UTF-8?Q?M=C3=BCller?= <m@example.de>, b@example.de;
                Bcc: <@relay.example,@hop.example:route@example.net>
                In-Reply-To: <a@example.de>
                 <b@example.de>
                Message-ID: <id@example.de>

                x
                """);
        EnvelopeFields e = parse(raw).envelope();
        assertEquals(Optional.of("Wed, 26 Nov 2026 08:00:00 +0100"), e.date());
        assertEquals(Optional.of("=?UTF-8?Q?Gr=C3=BC=C3=9Fe?= =?UTF-8?B?YXVzIEvDtmxu?="), e.subject());
        assertEquals(List.of(EnvelopeAddress.of(Optional.of("=?ISO-8859-1?Q?J=F6rg?="), "joerg", "example.de")), e.from());
        assertEquals(List.of(EnvelopeAddress.of(Optional.of("=?UTF-8?Q?Secr=C3=A9taire?="), "sec", "example.fr")),
                e.sender());
        assertEquals(List.of(EnvelopeAddress.groupStart("Team"),
                EnvelopeAddress.of(Optional.of("=?UTF-8?Q?M=C3=BCller?="), "m", "example.de"),
                EnvelopeAddress.of(Optional.empty(), "b", "example.de"), EnvelopeAddress.groupEnd()), e.replyTo());
        assertEquals(List.of(new EnvelopeAddress(Optional.empty(), Optional.of("@relay.example,@hop.example"),
                Optional.of("route"), Optional.of("example.net"))), e.bcc());
        assertEquals(Optional.of("<a@example.de> <b@example.de>"), e.inReplyTo());
    }

    @Test
    void utf8HeadersAreReadAsUtf8AndInvalidOctetsReplaced() {
        String text = """
                From: Jörg Müller <jörg@bücher.example>
                To: "Ђорђе" <djordje@example.rs>
                Subject: Grüße 👋
                Content-Type: text/plain; charset=utf-8; name="Prüfbericht.pdf"

                body
                """;
        byte[] raw = crlf(text);
        MessageStructure s = parse(raw);
        assertEquals(Optional.of("Grüße 👋"), s.envelope().subject());
        assertEquals(List.of(EnvelopeAddress.of(Optional.of("Jörg Müller"), "jörg", "bücher.example")), s.envelope().from());
        assertEquals(List.of(EnvelopeAddress.of(Optional.of("Ђорђе"), "djordje", "example.rs")), s.envelope().to());
        assertEquals(Optional.of("Prüfbericht.pdf"), s.body().parameter("name"));

        byte[] latin1 = crlf("Subject: caf\u00e9\n\nx\n");
        for (int i = 0; i < latin1.length; i++) {
            if (latin1[i] == (byte) 0xC3) { // é in UTF-8 is C3 A9: make it a lone Latin-1 E9
                latin1[i] = (byte) 0xE9;
                latin1[i + 1] = ' ';
            }
        }
        assertEquals(Optional.of("caf\uFFFD"), parse(latin1).envelope().subject());
    }

    @Test
    void rfc2231ContinuationsAreJoinedAsDovecotDoes() {
        byte[] raw = crlf("""
                Content-Type: application/octet-stream;
                 name*0="very long ";
                 name*1="name.txt"
                Content-Disposition: attachment;
                 filename*0*=UTF-8''Gr%C3%BC%C3%9Fe;
                 filename*1=" and more.txt";
                 size=12

                x
                """);
        BodyPart b = parse(raw).body();
        assertEquals(List.of(new MimeParameter("name", "very long name.txt")), b.parameters());
        assertEquals(List.of(new MimeParameter("filename*", "UTF-8''Gr%C3%BC%C3%9Fe%20and%20more.txt"),
                new MimeParameter("size", "12")), b.disposition().orElseThrow().parameters());
    }

    @Test
    void digestPartsDefaultToMessages() {
        byte[] raw = crlf("""
                Content-Type: multipart/digest; boundary=d

                --d

                Subject: first

                one
                --d
                Content-Type: text/plain

                not a message
                --d--
                """);
        MessageStructure s = parse(raw);
        BodyPart first = s.part(1).orElseThrow();
        assertTrue(first.is("message", "rfc822"));
        assertEquals(Optional.of("first"), first.message().orElseThrow().envelope().subject());
        assertEquals("one", body(raw, first.message().orElseThrow().body()));
        assertTrue(s.part(2).orElseThrow().is("text", "plain"));
    }

    @Test
    void deepNestingStopsAtTheLimitWithoutStackOverflow() {
        int depth = 20_000;
        StringBuilder m = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            m.append("Content-Type: multipart/mixed; boundary=b").append(i).append("\n\n--b").append(i).append('\n');
        }
        m.append("Content-Type: text/plain\n\ninnermost\n");
        for (int i = depth - 1; i >= 0; i--) {
            m.append("--b").append(i).append("--\n");
        }
        byte[] raw = crlf(m.toString());
        MessageStructure s = parse(raw);
        int levels = 0;
        BodyPart p = s.body();
        while (p.isMultipart()) {
            p = p.parts().get(0);
            levels++;
        }
        assertEquals(100, levels, "the default limit: 100 levels of multiparts");
        assertTrue(p.is("text", "plain"), "beyond it, plain text");

        MessageStructure shallow = parse(new MimeMessageParser(new ParserLimits(3, 10_000, 4096)), raw);
        int n = 0;
        for (BodyPart q = shallow.body(); q.isMultipart(); q = q.parts().get(0)) {
            n++;
        }
        assertEquals(3, n, "a configured limit");
    }

    @Test
    void nestedMessagesStopAtTheLimitToo() {
        StringBuilder m = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            m.append("Subject: level ").append(i).append("\nContent-Type: message/rfc822\n\n");
        }
        m.append("Subject: innermost\n\nhello\n");
        byte[] raw = crlf(m.toString());
        MessageStructure s = parse(new MimeMessageParser(new ParserLimits(10, 10_000, 4096)), raw);
        int n = 0;
        BodyPart p = s.body();
        while (p.message().isPresent()) {
            p = p.message().get().body();
            n++;
        }
        assertEquals(10, n);
        assertTrue(p.is("text", "plain"));
    }

    @Test
    void partsBeyondTheLimitAreNotListed() {
        StringBuilder m = new StringBuilder("Content-Type: multipart/mixed; boundary=p\n\n");
        for (int i = 0; i < 50; i++) {
            m.append("--p\nContent-Type: text/plain\n\npart ").append(i).append('\n');
        }
        m.append("--p--\n");
        byte[] raw = crlf(m.toString());
        MessageStructure s = parse(new MimeMessageParser(new ParserLimits(100, 20, 4096)), raw);
        assertEquals(20, s.body().parts().size());
        assertEquals("part 19", body(raw, s.part(20).orElseThrow()));
        assertEquals(50, parse(raw).body().parts().size());
    }

    @Test
    void hugeHeaderFieldIsCutNotKept() {
        StringBuilder to = new StringBuilder("To: ");
        for (int i = 0; i < 20_000; i++) {
            to.append("user").append(i).append("@example.com,\n ");
        }
        byte[] raw = crlf(to + "x@example.com\nSubject: s\n\nbody\n");
        MessageStructure s = parse(new MimeMessageParser(new ParserLimits(100, 100, 64 * 1024)), raw);
        assertTrue(s.envelope().to().size() < 5000, "cut at 64 KiB: " + s.envelope().to().size());
        assertEquals("user0", s.envelope().to().get(0).mailbox().orElseThrow());
        assertEquals(Optional.of("s"), s.envelope().subject());
        assertEquals("body\r\n", body(raw, s.body()));
    }

    /** Content made on the fly: the parser must stream it, never hold it. */
    @Test
    void hugeMessageIsStreamedWithExactOffsets() throws IOException {
        String head = "Content-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\nContent-Type: application/octet-stream\r\n\r\n";
        String tail = "\r\n--z--\r\n";
        long filler = 64L * 1024 * 1024; // one 64 MiB line of base64-like text, no line break
        InputStream in = new InputStream() {
            long pos;
            final byte[] h = head.getBytes(StandardCharsets.US_ASCII);
            final byte[] t = tail.getBytes(StandardCharsets.US_ASCII);

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                long total = h.length + filler + t.length;
                if (pos >= total) {
                    return -1;
                }
                int n = (int) Math.min(len, total - pos);
                for (int i = 0; i < n; i++, pos++) {
                    b[off + i] = pos < h.length ? h[(int) pos]
                            : pos < h.length + filler ? (byte) 'A' : t[(int) (pos - h.length - filler)];
                }
                return n;
            }
        };
        MessageStructure s = new MimeMessageParser().parse(in);
        BodyPart part = s.part(1).orElseThrow();
        assertEquals(head.length(), part.bodyStart());
        assertEquals(filler, part.size());
        assertEquals(1, part.lines());
        assertEquals(head.length() + filler + tail.length(), s.body().end());
    }

    @Test
    void messageGlobalEmbedsAMessageToo() {
        byte[] raw = crlf("""
                Content-Type: message/global

                Subject: Grüße
                From: Jörg <jörg@example.de>

                Hallo
                """);
        MessageStructure s = parse(raw);
        MessageStructure embedded = s.body().message().orElseThrow();
        assertEquals(Optional.of("Grüße"), embedded.envelope().subject());
        assertEquals("Hallo\r\n", body(raw, embedded.body()));
    }
}
