package dev.postwerk.smtp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/** A real client library (Jakarta Mail / Angus Mail) sending through STARTTLS and AUTH. */
class AngusMailClientTest {

    @TempDir
    Path data;

    private SmtpHarness harness;

    @AfterEach
    void stop() {
        harness.close();
    }

    private Session session(boolean auth) {
        Properties p = new Properties();
        p.put("mail.smtp.host", "127.0.0.1");
        p.put("mail.smtp.port", String.valueOf(harness.port()));
        p.put("mail.smtp.starttls.enable", "true");
        p.put("mail.smtp.starttls.required", "true");
        p.put("mail.smtp.ssl.trust", "*");
        p.put("mail.smtp.ssl.checkserveridentity", "false");
        p.put("mail.smtp.auth", String.valueOf(auth));
        p.put("mail.smtp.localhost", "client.test");
        p.put("mail.smtp.timeout", "10000");
        return Session.getInstance(p);
    }

    @Test
    void submitsWithStartTlsAndAuthPlain() throws Exception {
        harness = new SmtpHarness(data, Map.of("role", "submission"));
        MimeMessage message = new MimeMessage(session(true));
        message.setFrom(new InternetAddress("alice@example.test"));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress("bob@example.test"));
        message.setRecipient(Message.RecipientType.CC, new InternetAddress("friend@elsewhere.test"));
        message.setSubject("Hello from Angus");
        message.setText("First line\n.\nA line with only a dot above\n");
        Transport.send(message, "alice@example.test", "secret");

        Fakes.Committed m = harness.queue.committed.get(0);
        assertEquals(2, m.envelope().recipients().size());
        assertTrue(m.text().contains("Subject: Hello from Angus\r\n"));
        assertTrue(m.text().contains("\r\nFirst line\r\n.\r\nA line with only a dot above\r\n"), m.text());
        assertTrue(m.text().contains(" with ESMTPSA id "));
    }

    @Test
    void wrongPasswordIsRefused() throws Exception {
        harness = new SmtpHarness(data, Map.of("role", "submission"));
        MimeMessage message = new MimeMessage(session(true));
        message.setFrom(new InternetAddress("alice@example.test"));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress("bob@example.test"));
        message.setText("x");
        assertThrows(AuthenticationFailedException.class, () -> Transport.send(message, "alice@example.test", "nope"));
        assertTrue(harness.queue.committed.isEmpty());
    }
}
