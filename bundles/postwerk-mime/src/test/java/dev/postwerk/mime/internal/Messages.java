package dev.postwerk.mime.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import dev.postwerk.api.mail.BodyPart;
import dev.postwerk.api.mail.MessageStructure;

/** Real-world-shaped sample messages and checks shared by the parser tests. */
final class Messages {
    private Messages() {
    }

    /** LF line ends (as text blocks have them) turned into CRLF, as stored messages have them. */
    static byte[] crlf(String text) {
        return text.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    static byte[] lf(String text) {
        return text.replace("\r\n", "\n").getBytes(StandardCharsets.UTF_8);
    }

    static MessageStructure parse(byte[] raw) {
        return parse(new MimeMessageParser(), raw);
    }

    static MessageStructure parse(MimeMessageParser parser, byte[] raw) {
        try {
            MessageStructure s = parser.parse(new ByteArrayInputStream(raw));
            checkInvariants(s, raw.length);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String range(byte[] raw, long from, long to) {
        return new String(Arrays.copyOfRange(raw, (int) from, (int) to), StandardCharsets.UTF_8);
    }

    static String body(byte[] raw, BodyPart p) {
        return range(raw, p.bodyStart(), p.end());
    }

    static String mimeHeader(byte[] raw, BodyPart p) {
        return range(raw, p.headerStart(), p.bodyStart());
    }

    /** What must hold of any structure of any input: the tree's ranges nest and follow each other. */
    static void checkInvariants(MessageStructure s, long size) {
        BodyPart root = s.body();
        assertEquals(0, root.headerStart(), "the message starts at 0");
        assertEquals(size, root.end(), "the message body ends at the end");
        checkPart(root, 0, size);
    }

    private static void checkPart(BodyPart p, long from, long to) {
        assertTrue(p.headerStart() >= from && p.end() <= to, () -> "part " + p + " outside [" + from + "," + to + ")");
        long previousEnd = p.bodyStart();
        for (BodyPart child : p.parts()) {
            assertTrue(child.headerStart() >= previousEnd, "parts in order and apart");
            checkPart(child, p.bodyStart(), p.end());
            previousEnd = child.end();
        }
        p.message().ifPresent(m -> {
            assertEquals(p.bodyStart(), m.body().headerStart(), "an embedded message starts with its part's body");
            assertEquals(p.end(), m.body().end(), "and ends with it");
            checkPart(m.body(), p.bodyStart(), p.end());
        });
    }

    static final String MIXED_WITH_ATTACHMENT = """
            Return-Path: <carol@example.net>
            Received: from mx.example.net (mx.example.net [192.0.2.7])
            \tby mail.example.com with ESMTPS id 4Xyz; Tue, 25 Nov 2026 10:00:00 +0100
            From: Carol Example <carol@example.net>
            To: alice@example.com
            Subject: Report
            Date: Tue, 25 Nov 2026 09:59:58 +0100
            Message-ID: <report-1@example.net>
            MIME-Version: 1.0
            Content-Type: multipart/mixed;
            \tboundary="----=_Part_0_1.2"

            This is a multi-part message in MIME format.
            ------=_Part_0_1.2
            Content-Type: text/plain; charset=UTF-8
            Content-Transfer-Encoding: quoted-printable

            Hello Alice,
            the report is attached.
            =E2=80=94 Carol
            ------=_Part_0_1.2
            Content-Type: application/pdf; name="report.pdf"
            Content-Transfer-Encoding: base64
            Content-Disposition: attachment; filename="report.pdf"; size=1024
            Content-ID: <att-1@example.net>
            Content-Description: The report

            JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSL0ZpbHRlci9GbGF0ZURl
            Y29kZT4+CnN0cmVhbQp4nDPQM1Qo5ypUMFAw0DMwslAwtTTVMzJVsDAx1LMwUSjnKlQwAEIAUDAF
            ------=_Part_0_1.2--

            """;

    static final String ALTERNATIVE_IN_MIXED = """
            From: "Bob B." <bob@example.org>
            To: Alice <alice@example.com>, "Doe, John" <john@example.com>
            Subject: Pictures
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary=outer

            --outer
            Content-Type: multipart/alternative; boundary="inner"

            --inner
            Content-Type: text/plain; charset=us-ascii

            See the picture.
            --inner
            Content-Type: text/html; charset=us-ascii
            Content-Language: en, de (German)

            <p>See the <b>picture</b>.</p>
            --inner--
            --outer
            Content-Type: image/png
            Content-Transfer-Encoding: base64
            Content-Disposition: inline

            iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==
            --outer--
            """;

    static final String FORWARDED_MESSAGE = """
            From: dave@example.com
            To: alice@example.com
            Subject: Fwd: Minutes
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="fwd"

            --fwd
            Content-Type: text/plain

            Forwarding the minutes.

            --fwd
            Content-Type: message/rfc822
            Content-Disposition: attachment

            From: Erin <erin@example.org>
            To: team@example.org
            Cc: dave@example.com
            Subject: Minutes
            Date: Mon, 24 Nov 2026 17:00:00 +0000
            Message-ID: <minutes@example.org>
            In-Reply-To: <agenda@example.org>
            MIME-Version: 1.0
            Content-Type: multipart/alternative; boundary="min"

            --min
            Content-Type: text/plain; charset=utf-8

            1. Budget
            2. Plans
            --min
            Content-Type: text/html; charset=utf-8

            <ol><li>Budget</li><li>Plans</li></ol>
            --min--

            --fwd--
            """;

    static final String NO_CONTENT_TYPE = """
            From: frank@example.com
            To: alice@example.com
            Subject: plain old mail

            Just text.
            Two lines.
            """;
}
