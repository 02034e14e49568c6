package dev.postwerk.pop3.internal;

import static dev.postwerk.pop3.internal.Pop3Harness.ALICE;
import static dev.postwerk.pop3.internal.Pop3Harness.PASSWORD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.postwerk.api.store.MailboxEvent;
import dev.postwerk.api.store.MailboxStore;
import dev.postwerk.api.store.UserMailboxes;
import dev.postwerk.store.maildir.internal.MaildirTestAccess;

/** The POP3 server on the durable Maildir store: what must survive sessions and restarts. */
class Pop3MaildirTest {

    static final String M1 = "Subject: first\r\n\r\nbody one\r\n";
    static final String M2 = "Subject: second\r\n\r\n.dot line\r\nbody two\r\n";
    static final String M3 = "Subject: third\r\n\r\nbody three\r\n";

    @TempDir
    Path data;

    private Pop3Harness start(Path mail, Path transportData) throws Exception {
        return new Pop3Harness(transportData, MaildirTestAccess.create(mail))
                .start(Map.of("allowPlaintextWithoutTls", true));
    }

    private static List<String> uidl(Pop3Harness pop3) throws Exception {
        try (Pop3Client c = pop3.connect().login(ALICE, PASSWORD)) {
            List<String> listing = c.multiLine("UIDL");
            c.expectOkAfter("QUIT");
            return listing.subList(1, listing.size()).stream().map(l -> l.substring(l.indexOf(' ') + 1)).toList();
        }
    }

    @Test
    void uidlIsStableAcrossSessionsAndRestarts() throws Exception {
        Path mail = Files.createDirectories(data.resolve("mail"));
        List<String> first;
        try (Pop3Harness pop3 = start(mail, Files.createDirectories(data.resolve("t1")))) {
            pop3.deliver(ALICE, M1);
            pop3.deliver(ALICE, M2);
            pop3.deliver(ALICE, M3);
            first = uidl(pop3);
            assertEquals(3, first.size());
            assertEquals(first, uidl(pop3), "same ids in the next session");
            // deleting the first message renumbers, but the ids of the others stay
            try (Pop3Client c = pop3.connect().login(ALICE, PASSWORD)) {
                c.command("DELE 1");
                c.expectOkAfter("QUIT");
            }
            assertEquals(first.subList(1, 3), uidl(pop3));
        }
        // a new store and server over the same Maildir: as after a restart
        try (Pop3Harness restarted = start(mail, Files.createDirectories(data.resolve("t2")))) {
            assertEquals(first.subList(1, 3), uidl(restarted));
            restarted.deliver(ALICE, M1);
            List<String> now = uidl(restarted);
            assertEquals(first.subList(1, 3), now.subList(0, 2));
            assertTrue(!first.contains(now.get(2)), "a new message never gets an old id");
        }
    }

    @Test
    void deletedAtQuitIsExpungedThroughTheStoreAndImapSessionsSeeIt() throws Exception {
        try (Pop3Harness pop3 = start(Files.createDirectories(data.resolve("mail")), data)) {
            pop3.deliver(ALICE, M1);
            pop3.deliver(ALICE, M2);
            List<MailboxEvent> events = new ArrayList<>();
            try (UserMailboxes imapSide = pop3.store.open(ALICE)) {
                var registration = imapSide.mailbox(MailboxStore.INBOX).addListener(events::add);
                try (Pop3Client c = pop3.connect().login(ALICE, PASSWORD)) {
                    assertEquals("+OK " + M2.length() + " octets", c.command("RETR 2"));
                    assertArrayEquals(M2.getBytes(StandardCharsets.UTF_8), Pop3ProtocolTest.unstuff(c.readRawBody()));
                    c.command("DELE 2");
                    assertTrue(events.stream().noneMatch(e -> e instanceof MailboxEvent.Expunged));
                    assertEquals("+OK Signing off, 1 messages deleted", c.command("QUIT"));
                }
                registration.close();
            }
            assertTrue(events.stream().anyMatch(e -> e instanceof MailboxEvent.Expunged), events.toString());
            assertEquals(1, pop3.inbox(ALICE).size());
        }
    }

    @Test
    void storeStoppedMidSessionGivesSysTemp() throws Exception {
        try (Pop3Harness pop3 = start(Files.createDirectories(data.resolve("mail")), data)) {
            pop3.deliver(ALICE, M1);
            pop3.deliver(ALICE, M2);
            try (Pop3Client c = pop3.connect().login(ALICE, PASSWORD)) {
                c.command("DELE 1");
                MaildirTestAccess.stop(pop3.store);
                assertEquals("-ERR [SYS/TEMP] Mail store unavailable, try again later", c.command("RETR 2"));
                assertEquals("+OK 1 " + M2.length(), c.command("STAT"), "the snapshot still answers");
                assertEquals("-ERR [SYS/TEMP] Some deleted messages not removed", c.command("QUIT"));
                assertTrue(c.closedByServer());
            }
            try (Pop3Client c = pop3.connect()) {
                assertEquals("-ERR [SYS/TEMP] Mail store unavailable, try again later",
                        c.authPlain(ALICE, PASSWORD));
            }
        }
    }

    @Test
    void maildropTheStoreRefusesGetsSysPerm() throws Exception {
        try (Pop3Harness pop3 = start(Files.createDirectories(data.resolve("mail")), data)) {
            pop3.directory.add("odd@", PASSWORD); // an account name no Maildir can hold
            try (Pop3Client c = pop3.connect()) {
                assertEquals("-ERR [SYS/PERM] Maildrop cannot be opened, contact your administrator",
                        c.authPlain("odd@", PASSWORD));
                assertTrue(c.authPlain(ALICE, PASSWORD).startsWith("+OK"), "the session goes on");
            }
        }
    }
}
