package dev.postwerk.itests.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.commons.codec.digest.Sha2Crypt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The built distribution, started as an admin starts it, driven by real Debian mail clients:
 * swaks and curl send over SMTP (plain, STARTTLS + AUTH), curl and fetchmail read over POP3 with
 * STLS, python3's smtplib checks dot-stuffing. What they read must be byte-identical to what was
 * sent, after the Return-Path: and Received: lines the server puts on top.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EndToEndIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static RunningServer server;
    private static int mx;
    private static int submission;
    private static int pop3;
    private static Path work;

    @BeforeAll
    static void startServer() throws Exception {
        server = RunningServer.unpack("e2e");
        mx = RunningServer.freePort();
        submission = RunningServer.freePort();
        pop3 = RunningServer.freePort();
        server.set("dev.postwerk.smtp-mx.cfg", Map.of("port", String.valueOf(mx), "host", "127.0.0.1",
                "hostname", "mx.example.test"));
        server.set("dev.postwerk.smtp-submission.cfg", Map.of("port", String.valueOf(submission), "host", "127.0.0.1"));
        server.set("dev.postwerk.smtp-smtps.cfg", Map.of("port", String.valueOf(RunningServer.freePort()), "host", "127.0.0.1"));
        server.set("dev.postwerk.pop3-plain.cfg", Map.of("port", String.valueOf(pop3), "host", "127.0.0.1"));
        server.set("dev.postwerk.pop3-pop3s.cfg", Map.of("port", String.valueOf(RunningServer.freePort()), "host", "127.0.0.1"));
        server.set("dev.postwerk.transport.probe-diag.cfg", Map.of("port", String.valueOf(RunningServer.freePort())));
        server.set("org.apache.karaf.shell.cfg", Map.of("sshPort", String.valueOf(RunningServer.freePort())));
        // Dovecot's {SHA512-CRYPT} form, as a migrated user would have it; the server upgrades
        // it to Argon2id at the first login
        String hash = "{SHA512-CRYPT}" + Sha2Crypt.sha512Crypt("secret".getBytes(StandardCharsets.UTF_8), "$6$e2esalt1");
        server.configure("postwerk-users.conf", "domain example.test\n"
                + "user alice@example.test password=" + hash + "\n"
                + "user bob@example.test password=" + hash + "\n"
                + "user carol@example.test password=" + hash + "\n");
        server.start(mx, TIMEOUT);
        server.awaitPort(pop3, TIMEOUT);
        work = Files.createDirectories(server.home().resolve("e2e-work"));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.stop();
        }
    }

    private static Path maildir(String user) {
        return server.home().resolve("data/mail/example.test/" + user);
    }

    /** Waits until {@code user}'s INBOX holds {@code count} messages; returns their files, oldest first. */
    private static List<Path> awaitMessages(String user, int count) throws IOException {
        Instant deadline = Instant.now().plus(TIMEOUT);
        while (true) {
            List<Path> files = new ArrayList<>();
            for (String sub : List.of("new", "cur")) {
                Path dir = maildir(user).resolve(sub);
                if (Files.isDirectory(dir)) {
                    try (Stream<Path> s = Files.list(dir)) {
                        s.forEach(files::add);
                    }
                }
            }
            if (files.size() >= count) {
                files.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
                return files;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError(user + " has " + files.size() + " messages, expected " + count);
            }
            RunningServer.pause(100);
        }
    }

    private static byte[] message(String subject, String body) {
        return ("From: Sender <sender@remote.test>\r\nTo: someone@example.test\r\nSubject: " + subject
                + "\r\nMessage-ID: <" + subject.replace(' ', '-') + "@remote.test>\r\n\r\n" + body)
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The delivered file is Return-Path + Received (one folded field) + exactly what was sent. */
    private static void assertDeliveredAsSent(byte[] sent, byte[] stored, String sender) {
        String text = new String(stored, StandardCharsets.UTF_8);
        assertTrue(text.startsWith("Return-Path: <" + sender + ">\r\nReceived: from "), text);
        byte[] tail = Arrays.copyOfRange(stored, stored.length - sent.length, stored.length);
        assertArrayEquals(sent, tail, "the body must arrive byte for byte:\n" + text);
    }

    @Test
    @Order(1)
    void swaksSendsOverPlainSmtpAndTheMessageLandsInTheMaildir() throws Exception {
        byte[] sent = message("swaks plain", "Hello from swaks\r\nSecond line\r\n");
        Path file = work.resolve("swaks.eml");
        // swaks always sends CRLF.CRLF after the data: leave the last CRLF to it
        Files.write(file, Arrays.copyOf(sent, sent.length - 2));
        Clients.run(work, List.of("swaks", "--server", "127.0.0.1", "--port", String.valueOf(mx), "--helo", "client.test",
                "--from", "sender@remote.test", "--to", "alice@example.test", "--data", "@" + file))
                .assertSuccess("swaks");
        List<Path> delivered = awaitMessages("alice", 1);
        assertDeliveredAsSent(sent, Files.readAllBytes(delivered.get(0)), "sender@remote.test");
    }

    @Test
    @Order(2)
    void swaksSubmitsWithStartTlsAndAuthAndAWrongPasswordIsRefused() throws Exception {
        byte[] sent = message("swaks tls", "Sent through submission\r\n");
        Path file = work.resolve("swaks-tls.eml");
        Files.write(file, sent);
        Clients.Result ok = Clients.run(work, List.of("swaks", "--server", "127.0.0.1", "--port", String.valueOf(submission),
                "--helo", "client.test", "--tls", "--auth", "PLAIN", "--auth-user", "bob@example.test",
                "--auth-password", "secret", "--from", "bob@example.test", "--to", "carol@example.test", "--data", "@" + file))
                .assertSuccess("swaks --tls --auth");
        assertTrue(ok.output().contains("235 2.7.0"), ok.output());
        Clients.Result refused = Clients.run(work, List.of("swaks", "--server", "127.0.0.1", "--port",
                String.valueOf(submission), "--tls", "--auth", "PLAIN", "--auth-user", "bob@example.test",
                "--auth-password", "wrong", "--from", "bob@example.test", "--to", "carol@example.test", "--data", "@" + file));
        assertNotEquals(0, refused.exitCode());
        assertTrue(refused.output().contains("535 5.7.8"), refused.output());
        String stored = Files.readString(awaitMessages("carol", 1).get(0), StandardCharsets.UTF_8);
        assertTrue(stored.contains(" with ESMTPSA id "), stored);
        assertTrue(stored.contains("(Authenticated sender: bob@example.test)"), stored);
    }

    @Test
    @Order(3)
    void pythonSmtplibDotStuffsAndTheServerUnstuffs() throws Exception {
        String script = "import smtplib,sys\n"
                + "s=smtplib.SMTP('127.0.0.1'," + mx + ",local_hostname='client.test')\n"
                + "s.sendmail('sender@remote.test',['alice@example.test'],"
                + "b'Subject: dots\\r\\n\\r\\n.leading dot\\r\\n..two dots\\r\\n.\\r\\nend\\r\\n')\n"
                + "s.quit()\n";
        Clients.run(work, List.of("python3", "-c", script)).assertSuccess("smtplib");
        List<Path> delivered = awaitMessages("alice", 2);
        String stored = Files.readString(delivered.get(1), StandardCharsets.UTF_8);
        assertTrue(stored.endsWith("\r\nSubject: dots\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nend\r\n"), stored);
    }

    @Test
    @Order(4)
    void curlListsAndRetrievesOverPop3WithStlsByteForByte() throws Exception {
        List<Path> delivered = awaitMessages("alice", 2);
        String base = "pop3://127.0.0.1:" + pop3 + "/";
        Clients.Result list = Clients.run(work, List.of("curl", "-sS", "--ssl-reqd", "-k", "-u", "alice@example.test:secret",
                base)).assertSuccess("curl pop3 LIST");
        assertTrue(list.output().startsWith("1 " + Files.size(delivered.get(0)) + "\r\n2 " + Files.size(delivered.get(1))),
                list.output());
        Path out = work.resolve("retr1.eml");
        Clients.run(work, List.of("curl", "-sS", "--ssl-reqd", "-k", "-u", "alice@example.test:secret", "-o",
                out.toString(), base + "1")).assertSuccess("curl pop3 RETR");
        assertArrayEquals(Files.readAllBytes(delivered.get(0)), Files.readAllBytes(out));
    }

    @Test
    @Order(5)
    void fetchmailRetrievesOverStlsFirstKeepingThenDeleting() throws Exception {
        List<Path> delivered = awaitMessages("alice", 2);
        Path mbox = work.resolve("fetched.mbox");
        Path rc = work.resolve("fetchmailrc");
        String poll = "poll 127.0.0.1 service " + pop3 + " protocol pop3 timeout 30\n"
                + "  user \"alice@example.test\" there with password \"secret\" is \"tester\" here\n"
                + "  sslproto tls1.2+ no sslcertck\n"
                + "  mda \"/bin/sh -c 'cat >> " + mbox + "'\"\n";
        Files.writeString(rc, "set no syslog\n" + poll.replace("  mda", "  keep mda"));
        Files.setPosixFilePermissions(rc, PosixFilePermissions.fromString("rw-------"));
        // fetchall: retrieve regardless of what fetchmail remembers having seen (its own idfile)
        List<String> fetch = List.of("fetchmail", "-f", rc.toString(), "--nodetach", "--nosyslog", "-v", "--fetchall",
                "--idfile", work.resolve("fetchids").toString(), "--pidfile", work.resolve("fetchmail.pid").toString());
        Clients.Result kept = Clients.run(work, fetch);
        assertEquals(0, kept.exitCode(), kept.output());
        assertTrue(kept.output().contains("STLS"), "fetchmail used STLS:\n" + kept.output());
        String fetched = Files.readString(mbox, StandardCharsets.UTF_8);
        assertTrue(fetched.contains("Subject: swaks plain") && fetched.contains("Subject: dots"), fetched);
        assertEquals(2, awaitMessages("alice", 2).size(), "keep leaves the messages on the server");

        Files.writeString(rc, "set no syslog\n" + poll);
        Clients.Result taken = Clients.run(work, fetch);
        assertEquals(0, taken.exitCode(), taken.output());
        Instant deadline = Instant.now().plus(TIMEOUT);
        while (Files.exists(delivered.get(0)) || Files.exists(delivered.get(1))) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("fetchmail without keep left the messages on the server");
            }
            RunningServer.pause(100);
        }
    }
}
