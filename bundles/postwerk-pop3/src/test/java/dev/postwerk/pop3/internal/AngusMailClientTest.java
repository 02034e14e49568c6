package dev.postwerk.pop3.internal;

import static dev.postwerk.pop3.internal.Pop3Harness.ALICE;
import static dev.postwerk.pop3.internal.Pop3Harness.PASSWORD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import org.eclipse.angus.mail.pop3.POP3Folder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.postwerk.store.memory.internal.MemoryMailboxStore;
import dev.postwerk.testkit.net.LineClient;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;

/** A real POP3 client library (Angus Mail, the Jakarta Mail implementation) against the server. */
class AngusMailClientTest {

    static final String M1 = "From: a@example.org\r\nTo: alice@example.com\r\nSubject: Hello\r\n\r\nFirst body\r\n";
    static final String M2 = "From: b@example.org\r\nTo: alice@example.com\r\nSubject: Dots\r\n\r\n.leading dot\r\n..two\r\n.\r\nend\r\n";

    @TempDir
    Path data;

    Pop3Harness pop3;

    @BeforeEach
    void setUp() throws Exception {
        pop3 = new Pop3Harness(data, new MemoryMailboxStore()).start(Map.of());
        pop3.deliver(ALICE, M1);
        pop3.deliver(ALICE, M2);
    }

    @AfterEach
    void tearDown() {
        pop3.close();
    }

    private Store connect() throws Exception {
        Properties p = new Properties();
        p.put("mail.pop3.host", "127.0.0.1");
        p.put("mail.pop3.port", String.valueOf(pop3.port()));
        p.put("mail.pop3.starttls.enable", "true");
        p.put("mail.pop3.starttls.required", "true");
        p.put("mail.pop3.ssl.socketFactory", LineClient.trustingContext().getSocketFactory());
        p.put("mail.pop3.ssl.checkserveridentity", "false");
        p.put("mail.pop3.connectiontimeout", "10000");
        p.put("mail.pop3.timeout", "10000");
        Store store = Session.getInstance(p).getStore("pop3");
        store.connect(ALICE, PASSWORD);
        return store;
    }

    @Test
    void readsMessagesByteExactWithUidsOverStls() throws Exception {
        Store store = connect();
        try {
            POP3Folder inbox = (POP3Folder) store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            assertEquals(2, inbox.getMessageCount());
            Message[] messages = inbox.getMessages();
            assertEquals("Hello", messages[0].getSubject());
            assertEquals("Dots", messages[1].getSubject());
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            messages[1].writeTo(raw);
            assertArrayEquals(M2.getBytes(StandardCharsets.UTF_8), raw.toByteArray());
            assertArrayEquals(new int[] {M1.length(), M2.length()}, inbox.getSizes(), "LIST sizes");
            assertEquals("First body\r\n".length(), messages[0].getSize(), "Jakarta Mail's size is the body's");
            String uid = inbox.getUID(messages[0]);
            assertEquals(pop3.inbox(ALICE).get(0).uid(), Long.parseLong(uid.substring(uid.indexOf('.') + 1)));
            inbox.close(false);
        } finally {
            store.close();
        }
    }

    @Test
    void deletesWhenTheFolderIsClosedWithExpunge() throws Exception {
        Store store = connect();
        try {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            inbox.getMessage(1).setFlag(Flags.Flag.DELETED, true);
            inbox.close(true); // QUIT
        } finally {
            store.close();
        }
        assertEquals(1, pop3.inbox(ALICE).size());
    }
}
