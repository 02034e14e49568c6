package dev.postwerk.queue.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;

import jakarta.mail.BodyPart;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;

/** Parses a DSN with Jakarta Mail (Angus) and checks its RFC 3464 structure. */
final class DsnAssertions {

    private DsnAssertions() {
    }

    static void check(String text, List<String> failedRecipients, String status, boolean fullMessage) throws Exception {
        MimeMessage msg = new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        ContentType type = new ContentType(msg.getContentType());
        assertTrue(type.match("multipart/report"), msg.getContentType());
        assertEquals("delivery-status", type.getParameter("report-type"));
        assertEquals("auto-replied", msg.getHeader("Auto-Submitted", null));
        MimeMultipart mp = new MimeMultipart(msg.getDataHandler().getDataSource());
        assertEquals(3, mp.getCount());
        BodyPart human = mp.getBodyPart(0);
        assertTrue(human.isMimeType("text/plain"));
        String humanText = new String(human.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        for (String r : failedRecipients) {
            assertTrue(humanText.contains(r), humanText);
        }
        BodyPart report = mp.getBodyPart(1);
        assertTrue(report.isMimeType("message/delivery-status"), report.getContentType());
        String statusText;
        try (InputStream in = report.getInputStream()) {
            statusText = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        // RFC 3464 §2.1: blank-line separated groups, per-message first
        String[] groups = statusText.split("\r\n\r\n");
        InternetHeaders perMessage = new InternetHeaders(new ByteArrayInputStream((groups[0] + "\r\n\r\n").getBytes(StandardCharsets.UTF_8)));
        assertTrue(perMessage.getHeader("Reporting-MTA", null).startsWith("dns;"));
        assertTrue(perMessage.getHeader("Arrival-Date", null) != null);
        int recipients = 0;
        for (int g = 1; g < groups.length; g++) {
            if (groups[g].isBlank()) {
                continue;
            }
            InternetHeaders r = new InternetHeaders(new ByteArrayInputStream((groups[g] + "\r\n\r\n").getBytes(StandardCharsets.UTF_8)));
            assertEquals("rfc822; " + failedRecipients.get(recipients), r.getHeader("Final-Recipient", null));
            assertEquals("failed", r.getHeader("Action", null));
            assertEquals(status, r.getHeader("Status", null));
            assertTrue(r.getHeader("Diagnostic-Code", null).startsWith("smtp;"));
            recipients++;
        }
        assertEquals(failedRecipients.size(), recipients);
        BodyPart original = mp.getBodyPart(2);
        if (fullMessage) {
            assertTrue(original.isMimeType("message/rfc822"), original.getContentType());
            MimeMessage inner = new MimeMessage(Session.getInstance(new Properties()), original.getInputStream());
            assertTrue(inner.getSubject() != null);
        } else {
            assertTrue(original.isMimeType("text/rfc822-headers"), original.getContentType());
            String headers = new String(original.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(headers.contains("Subject:"), headers);
        }
    }
}
