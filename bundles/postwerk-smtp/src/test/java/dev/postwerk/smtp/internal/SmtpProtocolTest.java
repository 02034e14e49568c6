package dev.postwerk.smtp.internal;

import static dev.postwerk.smtp.internal.SmtpHarness.readReply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.postwerk.api.filter.FilterChain;
import dev.postwerk.api.filter.Verdict;
import dev.postwerk.api.mail.Recipient;
import dev.postwerk.testkit.net.LineClient;

/** The SMTP state machine over real sockets: every reply code of RFC 5321 and its extensions we claim. */
class SmtpProtocolTest {

    @TempDir
    Path data;

    SmtpHarness harness;

    /** Whether the directory promises non-blocking lookups (RCPT then runs on the I/O thread). */
    boolean directoryNonBlocking() {
        return false;
    }

    @AfterEach
    void stop() {
        if (harness != null) {
            harness.close();
        }
    }

    private SmtpHarness start(Map<String, Object> settings) throws Exception {
        harness = new SmtpHarness(data, settings);
        harness.server.directoryNonBlocking(directoryNonBlocking());
        return harness;
    }

    private SmtpHarness start() throws Exception {
        return start(Map.of());
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static void sendMail(LineClient c) throws Exception {
        assertEquals("250 2.1.0 Sender ok", c.command("MAIL FROM:<sender@remote.test>"));
        assertEquals("250 2.1.5 Recipient ok", c.command("RCPT TO:<alice@example.test>"));
        assertTrue(c.command("DATA").startsWith("354 "));
    }

    // ---- session basics ----

    @Test
    void ehloAdvertisesTheExtensionsAndNoAuthBeforeTls() throws Exception {
        start();
        try (LineClient c = harness.connect()) {
            c.send("EHLO client.test");
            String ehlo = readReply(c);
            for (String ext : List.of("250-mx.example.test Hello client.test [127.0.0.1]", "250-PIPELINING",
                    "250-SIZE 52428800", "250-8BITMIME", "250-ENHANCEDSTATUSCODES", "250-SMTPUTF8", "250-DSN",
                    "250-CHUNKING", "250-BINARYMIME", "250-STARTTLS", "250-ETRN", "250 HELP")) {
                assertTrue(ehlo.contains(ext), ext + " in\n" + ehlo);
            }
            assertFalse(ehlo.contains("AUTH"), "AUTH only after TLS by default");
        }
    }

    @Test
    void heloGetsAPlainReplyAndNoExtensions() throws Exception {
        start();
        try (LineClient c = harness.connect()) {
            assertEquals("250 2.0.0 mx.example.test Hello client.test [127.0.0.1]", c.command("HELO client.test"));
            assertEquals("555 5.5.4 Unsupported parameter", c.command("MAIL FROM:<a@b.test> SIZE=10"));
        }
    }

    @Test
    void acceptsAMessageWithReceivedHeaderAndAnswersWithTheQueueIdAfterCommit() throws Exception {
        start();
        try (LineClient c = harness.ehlo()) {
            sendMail(c);
            c.raw("Subject: hi\r\n\r\nHello\r\n..dot line\r\n.\r\n");
            assertEquals("250 2.0.0 Ok: queued as Q0", c.readLine());
            assertEquals("221 2.0.0 Bye", c.command("QUIT"));
            assertTrue(c.closedByServer());
        }
        Fakes.Committed m = harness.queue.committed.get(0);
        assertTrue(m.text().startsWith("Received: from client.test ([127.0.0.1])\r\n\tby mx.example.test (Postwerk) with ESMTP id Q0\r\n"),
                m.text());
        assertTrue(m.text().contains("\tfor <alice@example.test>;\r\n"));
        assertTrue(m.text().endsWith("\r\nSubject: hi\r\n\r\nHello\r\n.dot line\r\n"), m.text());
        assertEquals("sender@remote.test", m.envelope().sender().orElseThrow().toString());
        assertEquals("alice@example.test", m.envelope().recipients().get(0).address().toString());
        assertEquals("mx", m.envelope().origin().listener());
        assertTrue(harness.filters.seen.contains("data " + m.content().length + " true"), harness.filters.seen.toString());
    }

    @Test
    void pipelinedCommandsAreAnsweredInOrderFromOnePacket() throws Exception {
        start();
        try (LineClient c = harness.ehlo()) {
            c.raw("MAIL FROM:<s@remote.test>\r\nRCPT TO:<alice@example.test>\r\nRCPT TO:<nobody@example.test>\r\n"
                    + "RCPT TO:<bob@example.test>\r\nDATA\r\n");
            assertEquals("250 2.1.0 Sender ok", c.readLine());
            assertEquals("250 2.1.5 Recipient ok", c.readLine());
            assertTrue(c.readLine().startsWith("550 5.1.1 <nobody@example.test>"));
            assertEquals("250 2.1.5 Recipient ok", c.readLine());
            assertTrue(c.readLine().startsWith("354"));
            c.raw("x\r\n.\r\nNOOP\r\n");
            assertEquals("250 2.0.0 Ok: queued as Q0", c.readLine());
            assertEquals("250 2.0.0 Ok", c.readLine());
        }
        assertEquals(2, harness.queue.committed.get(0).envelope().recipients().size());
    }

    @Test
    void commandsOutOfSequenceGet503() throws Exception {
        start();
        try (LineClient c = harness.connect()) {
            assertEquals("503 5.5.1 Send EHLO or HELO first", c.command("MAIL FROM:<a@remote.test>"));
            c.send("EHLO client.test");
            readReply(c);
            assertEquals("503 5.5.1 Need MAIL command first", c.command("RCPT TO:<alice@example.test>"));
            assertEquals("503 5.5.1 Need MAIL command first", c.command("DATA"));
            c.command("MAIL FROM:<a@remote.test>");
            assertEquals("503 5.5.1 Nested MAIL command", c.command("MAIL FROM:<a@remote.test>"));
            assertEquals("554 5.5.1 No valid recipients", c.command("DATA"));
        }
    }

    @Test
    void unknownAndMalformedCommands() throws Exception {
        start();
        try (LineClient c = harness.ehlo()) {
            assertEquals("500 5.5.2 Command unrecognized", c.command("FROB"));
            assertEquals("501 5.5.4 Syntax: MAIL FROM:<address>", c.command("MAIL TO:<a@b.test>"));
            assertTrue(c.command("MAIL FROM:<not an address>").startsWith("501 5.1.7"));
            assertEquals("555 5.5.4 Unsupported parameter", c.command("MAIL FROM:<a@remote.test> FOO=BAR"));
            assertEquals("501 5.5.4 Syntax: EHLO hostname", c.command("EHLO"));
            assertEquals("502 5.5.1 Command not implemented", c.command("EXPN list"));
            assertTrue(c.command("HELP").startsWith("214 2.0.0"));
            assertEquals("250 2.0.0 Ok", c.command("NOOP anything"));
            assertEquals("252 2.5.0 Cannot VRFY user, but will accept message and attempt delivery",
                    c.command("VRFY alice"));
        }
    }

    @Test
    void nullSenderAndPostmasterWithoutDomainAreAccepted() throws Exception {
        start();
        try (LineClient c = harness.ehlo()) {
            assertEquals("250 2.1.0 Sender ok", c.command("MAIL FROM:<>"));
            assertEquals("250 2.1.5 Recipient ok", c.command("RCPT TO:<Postmaster>"));
            assertTrue(c.command("DATA").startsWith("354"));
            c.raw("x\r\n.\r\n");
            assertTrue(c.readLine().startsWith("250 2.0.0 Ok: queued"));
        }
        Fakes.Committed m = harness.queue.committed.get(0);
        assertEquals(Optional.empty(), m.envelope().sender());
        assertEquals("postmaster@example.test", m.envelope().recipients().get(0).address().toString());
    }

    // ---- recipients and relaying ----

    @ParameterizedTest
    @ValueSource(strings = {"<user%other.test@example.test>", "<\"user@other.test\"@example.test>",
        "<other.test!user@example.test>", "<nobody@example.test>"})
    void localLookingRelayTricksAreUnknownLocalUsers(String path) throws Exception {
        start();
        try (LineClient c = harness.ehlo()) {
            c.command("MAIL FROM:<s@remote.test>");
            assertTrue(c.command("RCPT TO:" + path).startsWith("550 5.1.1 "), path);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"<user@other.test>", "<@example.test:user@other.test>", "<user@[192.0.2.1]>"})
    void foreignRecipientsAreRefusedWithoutRelayPermission(String path) throws Exception {
        start();
        try (LineClient c = harness.ehlo()) {
            c.command("MAIL FROM:<s@remote.test>");
            assertTrue(c.command("RCPT TO:" + path).startsWith("554 5.7.1 "), path);
        }
    }

    @Test
    void trustedNetworksMayRelay() throws Exception {
        start(Map.of("trustedNetworks", new String[] {"127.0.0.0/8, ::1/128"}));
        try (LineClient c = harness.ehlo()) {
            c.command("MAIL FROM:<s@example.test>");
            assertEquals("250 2.1.5 Recipient ok", c.command("RCPT TO:<someone@other.test>"));
        }
    }

    @Test
    void recipientsPastTheLimitGet452AndTheMessageGoesToTheOthers() throws Exception {
        start(Map.of("maxRecipients", 2));
        try (LineClient c = harness.ehlo()) {
            c.command("MAIL FROM:<s@remote.test>");
            c.command("RCPT TO:<alice@example.test>");
            c.command("RCPT TO:<bob@example.test>");
            assertEquals("452 4.5.3 Too many recipients", c.command("RCPT TO:<postmaster@example.test>"));
        }
    }

    @Test
    void recipientWithAFullMailboxIsRefusedAtRcpt() throws Exception {
        start();
        // the harness store allows one message per user
        try (dev.postwerk.api.store.UserMailboxes mail = harness.store.open("bob@example.test")) {
            mail.mailbox("INBOX").append(dev.postwerk.api.mail.MessageContent.ofBytes("x\r\n".getBytes(StandardCharsets.US_ASCII)),
                    dev.postwerk.api.store.Flags.NONE, Optional.empty());
        }
        try (LineClient c = harness.ehlo()) {
            c.command("MAIL FROM:<s@remote.test>");
            assertEquals("452 4.2.2 <bob@example.test>: Mailbox full", c.command("RCPT TO:<bob@example.test>"));
            assertEquals("250 2.1.5 Recipient ok", c.command("RCPT TO:<alice@example.test>"));
        }
    }

    @Test
    void dsnParametersTravelWithTheEnvelope() throws Exception {
        start();
        try (LineClient c = harness.ehlo()) {
            assertEquals("250 2.1.0 Sender ok", c.command("MAIL FROM:<s@remote.test> RET=HDRS ENVID=QQ+2B314 SIZE=100 BODY=8BITMIME"));
            assertEquals("250 2.1.5 Recipient ok",
                    c.command("RCPT TO:<alice@example.test> NOTIFY=FAILURE,DELAY ORCPT=rfc822;alice+2Bx@example.test"));
            assertTrue(c.command("RCPT TO:<bob@example.test> NOTIFY=NEVER,SUCCESS").startsWith("501 5.5.4"));
            assertTrue(c.command("RCPT TO:<bob@example.test> ORCPT=nosemicolon").startsWith("501 5.5.4"));
            c.command("DATA");
            c.raw("x\r\n.\r\n");
            c.readLine();
        }
        Fakes.Committed m = harness.queue.committed.get(0);
        assertEquals(Optional.of(dev.postwerk.api.mail.Envelope.DsnReturn.HDRS), m.envelope().dsnReturn());
        assertEquals(Optional.of("QQ+2B314"), m.envelope().envelopeId());
        Recipient r = m.envelope().recipients().get(0);
        assertEquals(Set.of(Recipient.DsnNotify.FAILURE, Recipient.DsnNotify.DELAY), r.notifyOn());
        assertEquals(Optional.of("rfc822;alice+2Bx@example.test"), r.originalRecipient());
    }

    @Test
    void internationalAddressesNeedSmtputf8() throws Exception {
        start();
        try (LineClient c = harness.ehlo()) {
            assertEquals("553 5.6.7 Address requires SMTPUTF8", c.command("MAIL FROM:<jösé@remote.test>"));
            assertEquals("250 2.1.0 Sender ok", c.command("MAIL FROM:<jösé@remote.test> SMTPUTF8"));
            c.command("RCPT TO:<alice@example.test>");
            c.command("DATA");
            c.raw("x\r\n.\r\n");
            assertTrue(c.readLine().startsWith("250"));
        }
        assertTrue(harness.queue.committed.get(0).text().contains(" with UTF8SMTP id "));
    }

    // ---- limits and bad input ----

    @Test
    void declaredSizeOverTheLimitIsRefusedAtMail() throws Exception {
        start(Map.of("maxMessageSize", 1000L));
        try (LineClient c = harness.ehlo()) {
            assertTrue(readReply(c.send("EHLO again.test")).contains("SIZE 1000"));
            assertEquals("552 5.3.4 Message size exceeds fixed maximum message size", c.command("MAIL FROM:<s@remote.test> SIZE=1001"));
        }
    }

    @Test
    void actualSizeOverTheLimitIsRefusedAtTheEndWithoutKeepingTheMessage() throws Exception {
        start(Map.of("maxMessageSize", 1000L));
        try (LineClient c = harness.ehlo()) {
            sendMail(c);
            c.raw(("x".repeat(99) + "\r\n").repeat(50) + ".\r\n");
            assertEquals("552 5.3.4 Message size exceeds fixed maximum message size", c.readLine());
            assertEquals("250 2.0.0 Ok", c.command("NOOP"));
        }
        assertTrue(harness.queue.committed.isEmpty());
        assertEquals(1, harness.queue.aborted.get());
    }

    @Test
    void bareLineFeedInDataIsRefusedAndNeverEndsTheMessage() throws Exception {
        start();
        try (LineClient c = harness.ehlo()) {
            sendMail(c);
            // SMTP smuggling: "\n.\n" must not end the message and start a second transaction
            c.raw("Subject: a\r\n\r\nbody\n.\nMAIL FROM:<evil@remote.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n"
                    + "smuggled\r\n.\r\n");
            assertEquals("550 5.5.2 Message contains a bare CR or LF (RFC 5321 §2.3.8)", c.readLine());
            assertEquals("250 2.0.0 Ok", c.command("NOOP"), "nothing else was answered before");
        }
        assertTrue(harness.queue.committed.isEmpty());
    }

    @Test
    void bareLineEndsAreNormalizedWhenConfigured() throws Exception {
        start(Map.of("bareLineEnds", "normalize"));
        try (LineClient c = harness.ehlo()) {
            sendMail(c);
            c.raw("a\nb\r\n.\r\n");
            assertTrue(c.readLine().startsWith("250 2.0.0 Ok: queued"));
        }
        assertTrue(harness.queue.committed.get(0).text().endsWith("\r\na\r\nb\r\n"));
    }

    @Test
    void overLongCommandLineIs500AndTheSessionGoesOn() throws Exception {
        start();
        try (LineClient c = harness.ehlo()) {
            assertEquals("500 5.5.2 Line too long", c.command("NOOP " + "x".repeat(600)));
            assertEquals("500 5.5.2 Line too long", c.command("NOOP " + "x".repeat(20000)));
            assertEquals("250 2.0.0 Ok", c.command("NOOP"));
        }
    }

    @Test
    void overLongTextLineIsRefused() throws Exception {
        start();
        try (LineClient c = harness.ehlo()) {
            sendMail(c);
            c.raw("x".repeat(1200) + "\r\n.\r\n");
            assertTrue(c.readLine().startsWith("554 5.6.0 Message has a line longer than 1000 octets"));
        }
    }

    @Test
    void tooManyReceivedHeadersIsALoop() throws Exception {
        start(Map.of("maxReceivedHeaders", 3));
        try (LineClient c = harness.ehlo()) {
            sendMail(c);
            c.raw("Received: from a\r\nReceived: from b\r\nRECEIVED: from c\r\nSubject: x\r\n\r\nReceived: in body\r\n.\r\n");
            assertEquals("554 5.4.6 Too many Received: headers, mail loop?", c.readLine());
            sendMail(c);
            c.raw("Received: from a\r\nReceived: from b\r\nSubject: x\r\n\r\n.\r\n");
            assertTrue(c.readLine().startsWith("250"));
        }
    }

    @Test
    void tooManyErrorsEndTheSession() throws Exception {
        start(Map.of("maxErrors", 3));
        try (LineClient c = harness.ehlo()) {
            c.command("FROB");
            c.command("FROB");
            assertEquals("500 5.5.2 Command unrecognized", c.command("FROB"));
            assertEquals("421 4.7.0 mx.example.test Too many errors, closing connection", c.readLine());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void bareLineFeedInACommandIsAnError() throws Exception {
        start();
        try (LineClient c = harness.ehlo()) {
            c.raw("NOOP\n");
            assertEquals("500 5.5.2 Bare CR or LF in command line", c.readLine());
        }
    }

    @Test
    void idleClientIsToldAndDisconnected() throws Exception {
        start(Map.of("idleTimeoutSeconds", 1));
        try (LineClient c = harness.connect()) {
            assertEquals("421 4.4.2 mx.example.test Idle timeout, closing", c.readLine());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void aSessionPastItsMaximumLengthEndsEvenInsideData() throws Exception {
        start(Map.of("maxSessionSeconds", 1));
        try (LineClient c = harness.ehlo()) {
            sendMail(c);
            c.raw("Subject: slow\r\n");
            // the session length is the behaviour under test: let it run out
            Thread.sleep(1_200);
            c.raw("more\r\n");
            assertEquals("421 4.4.2 mx.example.test Session too long, closing", c.readLine());
            assertTrue(c.closedByServer());
        }
        assertTrue(harness.queue.committed.isEmpty());
    }

    @Test
    void shutdownSays421() throws Exception {
        start();
        try (LineClient c = harness.ehlo()) {
            harness.server.deactivate();
            assertEquals("421 4.3.2 mx.example.test Service shutting down", c.readLine());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void connectionsPastThePerClientLimitGet421() throws Exception {
        start(Map.of("maxConnectionsPerClient", 1));
        try (LineClient a = harness.connect();
                LineClient b = LineClient.connect("127.0.0.1", harness.port(), SmtpHarness.TIMEOUT)) {
            assertEquals("421 4.7.0 mx.example.test Too many connections from your address, try again later", b.readLine());
        }
    }

    @Test
    void rsetAbortsTheTransaction() throws Exception {
        start();
        try (LineClient c = harness.ehlo()) {
            c.command("MAIL FROM:<s@remote.test>");
            assertEquals("250 2.0.0 Ok", c.command("RSET"));
            assertEquals("503 5.5.1 Need MAIL command first", c.command("RCPT TO:<alice@example.test>"));
        }
    }

    // ---- CHUNKING / BDAT (RFC 3030) ----

    @Test
    void pipelinedBdatChunksMakeOneMessage() throws Exception {
        start();
        try (LineClient c = harness.ehlo()) {
            c.raw("MAIL FROM:<s@remote.test> BODY=BINARYMIME\r\nRCPT TO:<alice@example.test>\r\n"
                    + "BDAT 12\r\nSubject: x\r\n" + "BDAT 11 LAST\r\n\r\nbin\0\r\n.\r\n");
            assertEquals("250 2.1.0 Sender ok", c.readLine());
            assertEquals("250 2.1.5 Recipient ok", c.readLine());
            assertEquals("250 2.0.0 12 octets received", c.readLine());
            assertEquals("250 2.0.0 Ok: queued as Q0", c.readLine());
        }
        assertTrue(harness.queue.committed.get(0).text().endsWith("\r\nSubject: x\r\n\r\nbin\0\r\n.\r\n"));
    }

    @Test
    void refusedBdatChunkIsStillConsumed() throws Exception {
        start();
        try (LineClient c = harness.ehlo()) {
            c.raw("BDAT 6\r\nNOOP\r\nQUIT\r\n");
            assertEquals("503 5.5.1 Need MAIL command first", c.readLine());
            assertEquals("221 2.0.0 Bye", c.readLine(), "the chunk's NOOP was data, not a command");
        }
    }

    @Test
    void binarymimeNeedsBdatAndDataAfterBdatIsRefused() throws Exception {
        start();
        try (LineClient c = harness.ehlo()) {
            c.command("MAIL FROM:<s@remote.test> BODY=BINARYMIME");
            c.command("RCPT TO:<alice@example.test>");
            assertEquals("503 5.5.1 BINARYMIME requires BDAT (RFC 3030)", c.command("DATA"));
            c.raw("BDAT 1\r\nx");
            c.readLine();
            assertEquals("503 5.5.1 DATA not allowed after BDAT", c.command("DATA"));
        }
    }

    @Test
    void bdatOverTheSizeLimitIsRefused() throws Exception {
        start(Map.of("maxMessageSize", 10L));
        try (LineClient c = harness.ehlo()) {
            c.command("MAIL FROM:<s@remote.test>");
            c.command("RCPT TO:<alice@example.test>");
            c.raw("BDAT 20 LAST\r\n" + "y".repeat(20));
            assertEquals("552 5.3.4 Message size exceeds fixed maximum message size", c.readLine());
            assertEquals("250 2.0.0 Ok", c.command("NOOP"));
        }
        assertTrue(harness.queue.committed.isEmpty());
    }

    // ---- TLS and AUTH ----

    @Test
    void startTlsThenEhloOffersAuthAndAuthPlainLogsIn() throws Exception {
        start();
        try (LineClient c = harness.ehlo()) {
            assertEquals("538 5.7.11 Encryption required for requested authentication mechanism",
                    c.command("AUTH PLAIN " + b64("\0alice@example.test\0secret")));
            assertEquals("220 2.0.0 Ready to start TLS", c.command("STARTTLS"));
            c.upgradeToTls();
            assertEquals("503 5.5.1 Send EHLO or HELO first", c.command("MAIL FROM:<a@b.test>"));
            c.send("EHLO client.test");
            String ehlo = readReply(c);
            assertTrue(ehlo.contains("250-AUTH PLAIN LOGIN"), ehlo);
            assertFalse(ehlo.contains("STARTTLS"));
            assertEquals("535 5.7.8 Authentication credentials invalid",
                    c.command("AUTH PLAIN " + b64("\0alice@example.test\0wrong")));
            assertEquals("235 2.7.0 Authentication successful",
                    c.command("AUTH PLAIN " + b64("\0alice@example.test\0secret")));
            assertEquals("503 5.5.1 Already authenticated", c.command("AUTH PLAIN " + b64("\0alice@example.test\0secret")));
            assertEquals("250 2.1.5 Recipient ok", c.command("MAIL FROM:<alice@example.test>").replace("2.1.0 Sender", "2.1.5 Recipient"));
            assertEquals("250 2.1.5 Recipient ok", c.command("RCPT TO:<friend@elsewhere.test>"), "authenticated users relay");
            c.command("DATA");
            c.raw("x\r\n.\r\n");
            assertTrue(c.readLine().startsWith("250"));
        }
        String received = harness.queue.committed.get(0).text();
        assertTrue(received.contains(" with ESMTPSA id "), received);
        assertTrue(received.contains("(using TLSv1."), received);
        assertTrue(received.contains("(Authenticated sender: alice@example.test)"), received);
        assertEquals(Optional.of("alice@example.test"), harness.queue.committed.get(0).envelope().origin().authIdentity());
    }

    @Test
    void authLoginTakesTwoStepsAndStarCancels() throws Exception {
        start(Map.of("allowAuthWithoutTls", true));
        try (LineClient c = harness.ehlo()) {
            assertEquals("334 " + b64("Username:"), c.command("AUTH LOGIN"));
            assertEquals("501 5.0.0 Authentication cancelled", c.command("*"));
            assertEquals("334 " + b64("Username:"), c.command("AUTH LOGIN"));
            assertEquals("334 " + b64("Password:"), c.command(b64("bob@example.test")));
            assertEquals("235 2.7.0 Authentication successful", c.command(b64("secret")));
        }
    }

    @Test
    void authErrors() throws Exception {
        start(Map.of("allowAuthWithoutTls", true));
        try (LineClient c = harness.ehlo()) {
            assertEquals("504 5.5.4 Unrecognized authentication mechanism", c.command("AUTH CRAM-MD5"));
            assertEquals("501 5.5.2 Cannot decode base64", c.command("AUTH PLAIN !!!"));
            assertEquals("334 ", c.command("AUTH PLAIN"));
            assertEquals("501 5.5.2 Cannot decode base64", c.command("%%%"));
            c.command("MAIL FROM:<s@remote.test>");
            assertEquals("503 5.5.1 AUTH not allowed during a mail transaction", c.command("AUTH PLAIN"));
        }
    }

    @Test
    void failedLoginReplyIsDelayedAndLaterCommandsWaitForIt() throws Exception {
        start(Map.of("allowAuthWithoutTls", true));
        harness.sasl.failureDelay = Duration.ofMillis(300);
        try (LineClient c = harness.ehlo()) {
            c.raw("AUTH PLAIN " + b64("\0alice@example.test\0wrong") + "\r\nNOOP\r\n");
            assertEquals("535 5.7.8 Authentication credentials invalid", c.readLine());
            assertEquals("250 2.0.0 Ok", c.readLine());
        }
    }

    @Test
    void blockedClientIsDisconnectedWith421() throws Exception {
        start(Map.of("allowAuthWithoutTls", true));
        harness.sasl.blocked = true;
        try (LineClient c = harness.ehlo()) {
            assertEquals("421 4.7.0 mx.example.test Too many failed logins, try again later",
                    c.command("AUTH PLAIN " + b64("\0alice@example.test\0secret")));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void submissionRequiresAuthBeforeMail() throws Exception {
        start(Map.of("role", "submission", "allowAuthWithoutTls", true));
        try (LineClient c = harness.ehlo()) {
            assertEquals("530 5.7.0 Authentication required", c.command("MAIL FROM:<alice@example.test>"));
            c.command("AUTH PLAIN " + b64("\0alice@example.test\0secret"));
            assertEquals("250 2.1.0 Sender ok", c.command("MAIL FROM:<alice@example.test>"));
        }
    }

    @Test
    void implicitTlsListenerGreetsOverTls() throws Exception {
        start(Map.of("tls", "implicit"));
        try (LineClient c = LineClient.connectTls("127.0.0.1", harness.port(), SmtpHarness.TIMEOUT)) {
            assertTrue(c.readLine().startsWith("220 mx.example.test ESMTP"));
            c.send("EHLO client.test");
            String ehlo = readReply(c);
            assertTrue(ehlo.contains("AUTH PLAIN LOGIN"));
            assertFalse(ehlo.contains("STARTTLS"));
        }
    }

    // ---- services and filters ----

    @Test
    void missingQueueGivesTemporaryErrors() throws Exception {
        harness = new SmtpHarness(data, Map.of(), Set.of("queue"));
        try (LineClient c = harness.ehlo()) {
            assertEquals("451 4.3.0 Mail system temporarily unavailable, try again later", c.command("MAIL FROM:<s@remote.test>"));
        }
    }

    @Test
    void missingDirectoryGivesTemporaryErrorsAtRcpt() throws Exception {
        harness = new SmtpHarness(data, Map.of(), Set.of("directory"));
        try (LineClient c = harness.ehlo()) {
            c.command("MAIL FROM:<s@remote.test>");
            assertEquals("451 4.3.0 Mail system temporarily unavailable, try again later", c.command("RCPT TO:<alice@example.test>"));
        }
    }

    @Test
    void missingFilterChainRefusesConnectionsTemporarily() throws Exception {
        harness = new SmtpHarness(data, Map.of(), Set.of("filters"));
        try (LineClient c = LineClient.connect("127.0.0.1", harness.port(), SmtpHarness.TIMEOUT)) {
            assertEquals("421 4.3.0 mx.example.test Service temporarily unavailable", c.readLine());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void failedCommitIsATemporaryErrorNeverA250() throws Exception {
        start();
        harness.queue.failCommit = true;
        try (LineClient c = harness.ehlo()) {
            sendMail(c);
            c.raw("x\r\n.\r\n");
            assertEquals("451 4.3.0 Mail system temporarily unavailable, try again later", c.readLine());
        }
    }

    @Test
    void filterVerdictsDecideTheReplies() throws Exception {
        start();
        harness.filters.rcpt = (e, r) -> r.address().localPart().equals("bob")
                ? Verdict.proceedWith(Verdict.Changes.drop()) : Verdict.proceed();
        harness.filters.mail = e -> e.sender().map(s -> s.domain().equals("spam.test")).orElse(false)
                ? Verdict.reject(550, "5.7.1", "Sender refused") : Verdict.proceed();
        harness.filters.data = (e, content) -> Verdict.proceedWith(Verdict.Changes.addHeader("X-Checked", "yes"));
        try (LineClient c = harness.ehlo()) {
            assertEquals("550 5.7.1 Sender refused", c.command("MAIL FROM:<x@spam.test>"));
            c.command("MAIL FROM:<x@ok.test>");
            c.command("RCPT TO:<alice@example.test>");
            assertEquals("250 2.1.5 Recipient ok", c.command("RCPT TO:<bob@example.test>"));
            c.command("DATA");
            c.raw("x\r\n.\r\n");
            assertTrue(c.readLine().startsWith("250"));
        }
        Fakes.Committed m = harness.queue.committed.get(0);
        assertEquals(1, m.envelope().recipients().size(), "bob was dropped by the filter");
        assertEquals("X-Checked", m.changes().addHeaders().get(0).name());
    }

    @Test
    void dataFilterRejectionDiscardsTheMessage() throws Exception {
        start();
        harness.filters.data = (e, content) -> Verdict.reject(554, "5.7.1", "Looks like spam");
        try (LineClient c = harness.ehlo()) {
            sendMail(c);
            c.raw("buy now\r\n.\r\n");
            assertEquals("554 5.7.1 Looks like spam", c.readLine());
        }
        assertTrue(harness.queue.committed.isEmpty());
        assertEquals(1, harness.queue.aborted.get());
    }

    /**
     * SMTP runs on the network I/O thread and hands to a worker only what may block: a stage
     * with filters registered, RCPT (directory, quota), the end of data (filters, fsync).
     */
    @Test
    void stagesWithFiltersRunOnWorkersAndTheRestOnTheIoThread() throws Exception {
        start();
        java.util.Map<String, String> threads = new java.util.concurrent.ConcurrentHashMap<>();
        harness.filters.connect = o -> {
            threads.put("connect", Thread.currentThread().getName());
            return Verdict.proceed();
        };
        harness.filters.mail = e -> {
            threads.put("mail", Thread.currentThread().getName());
            return Verdict.proceed();
        };
        harness.filters.rcpt = (e, r) -> {
            threads.put("rcpt", Thread.currentThread().getName());
            return Verdict.proceed();
        };
        harness.filters.data = (e, content) -> {
            threads.put("data", Thread.currentThread().getName());
            return Verdict.proceed();
        };
        try (LineClient c = harness.ehlo()) {
            sendMail(c);
            c.raw("Subject: threads\r\n\r\nhello\r\n.\r\n");
            assertTrue(c.readLine().startsWith("250 2.0.0 Ok: queued as "));
        }
        assertFalse(threads.get("connect").startsWith("postwerk-"), threads.toString());
        assertFalse(threads.get("mail").startsWith("postwerk-"), threads.toString());
        // RCPT: a directory that may block, or the first quota check of a user (the store), on a worker
        assertTrue(threads.get("rcpt").startsWith("postwerk-"), threads.toString());

        // again, with the quota answer remembered: only a blocking directory sends RCPT to a worker
        try (LineClient c = harness.ehlo()) {
            sendMail(c);
            c.raw("Subject: threads\r\n\r\nhello\r\n.\r\n");
            assertTrue(c.readLine().startsWith("250 2.0.0 Ok: queued as "));
        }
        assertEquals(!directoryNonBlocking(), threads.get("rcpt").startsWith("postwerk-"), threads.toString());
        if (directoryNonBlocking()) {
            // nothing handed off before it: the end of data (no filter registered, and no thread
            // waits for the fsync) runs on the I/O thread too
            assertFalse(threads.get("data").startsWith("postwerk-"), threads.toString());
        }

        threads.clear();
        harness.filters.registered = java.util.EnumSet.allOf(FilterChain.Stage.class);
        try (LineClient c = harness.ehlo()) {
            sendMail(c);
            c.raw("Subject: threads\r\n\r\nhello\r\n.\r\n");
            assertTrue(c.readLine().startsWith("250 2.0.0 Ok: queued as "));
        }
        assertTrue(threads.get("connect").startsWith("postwerk-"), threads.toString());
        assertTrue(threads.get("mail").startsWith("postwerk-"), threads.toString());
        assertTrue(threads.get("rcpt").startsWith("postwerk-"), threads.toString());
        assertTrue(threads.get("data").startsWith("postwerk-"), threads.toString());
    }

    /**
     * Content the spool keeps in memory is written on the I/O thread; once the spool would need a
     * file (here: the fake spool past 64 KiB, as the real one past spool.inline.max or its memory
     * budget), each chunk goes to a worker. Either way the octets arrive whole and in order.
     */
    @Test
    void contentTheSpoolWritesToAFileIsWrittenByAWorker() throws Exception {
        start();
        StringBuilder body = new StringBuilder("Subject: big\r\n\r\n");
        for (int i = 0; body.length() < 300_000; i++) {
            body.append("line ").append(i).append("\r\n");
        }
        try (LineClient c = harness.ehlo()) {
            sendMail(c);
            c.raw(body + ".\r\n");
            assertTrue(c.readLine().startsWith("250 2.0.0 Ok: queued as "));
        }
        String stored = new String(harness.queue.committed.get(0).content(), StandardCharsets.UTF_8);
        assertTrue(stored.endsWith(body.toString()), "whole and in order");
        List<String> writers = harness.queue.writers;
        assertFalse(writers.isEmpty());
        for (String w : writers) {
            long offset = Long.parseLong(w.substring(w.lastIndexOf('@') + 1));
            if (offset >= 64 * 1024) {
                assertTrue(w.startsWith("postwerk-"), "past what the spool keeps in memory, on a worker: " + writers);
            }
        }
    }

    @Test
    void connectFilterRejectionClosesTheConnection() throws Exception {
        start();
        harness.filters.connect = o -> Verdict.reject(554, "5.7.1", "Listed in a blocklist");
        try (LineClient c = LineClient.connect("127.0.0.1", harness.port(), SmtpHarness.TIMEOUT)) {
            assertEquals("554 5.7.1 Listed in a blocklist", c.readLine());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void etrnStartsAQueueRunForADomainForTrustedClientsOnly() throws Exception {
        start();
        try (LineClient c = harness.ehlo()) {
            assertEquals("459 4.7.1 Node busy.test not allowed: client not authorized", c.command("ETRN busy.test"));
        }
        harness.close();
        start(Map.of("trustedNetworks", new String[] {"127.0.0.0/8"}));
        try (LineClient c = harness.ehlo()) {
            assertEquals("253 2.0.0 OK, 3 pending messages for node busy.test started", c.command("ETRN busy.test"));
            assertEquals("251 2.0.0 OK, no messages waiting for node quiet.test", c.command("ETRN @quiet.test"));
            assertEquals("501 5.5.4 Syntax: ETRN domain", c.command("ETRN not/a/domain"));
        }
        assertEquals(List.of("busy.test", "quiet.test"), harness.queue.retried);
    }

    @Test
    void bdatContentFollowsTheSameLineRulesAsData() throws Exception {
        start();
        try (LineClient c = harness.ehlo()) {
            c.command("MAIL FROM:<s@remote.test>");
            c.command("RCPT TO:<alice@example.test>");
            String smuggled = "Subject: x\r\n\r\nbody\n.\nMAIL FROM:<evil@x>\r\n";
            c.raw("BDAT " + smuggled.length() + " LAST\r\n" + smuggled);
            assertEquals("550 5.5.2 Message contains a bare CR or LF (RFC 5321 §2.3.8)", c.readLine());
            c.command("MAIL FROM:<s@remote.test> BODY=BINARYMIME");
            c.command("RCPT TO:<alice@example.test>");
            c.raw("BDAT " + smuggled.length() + " LAST\r\n" + smuggled);
            assertTrue(c.readLine().startsWith("250 2.0.0 Ok: queued"), "binary content may hold any octets");
        }
        assertEquals(1, harness.queue.committed.size());
    }

    @Test
    void bdatWithoutAValidSizeEndsTheSession() throws Exception {
        start();
        try (LineClient c = harness.ehlo()) {
            assertTrue(c.command("BDAT lots").startsWith("421 4.5.0 "));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void startTlsForgetsAnEarlierLogin() throws Exception {
        start(Map.of("role", "submission", "allowAuthWithoutTls", true));
        try (LineClient c = harness.ehlo()) {
            assertEquals("235 2.7.0 Authentication successful", c.command("AUTH PLAIN " + b64("\0alice@example.test\0secret")));
            c.command("STARTTLS");
            c.upgradeToTls();
            c.send("EHLO client.test");
            readReply(c);
            assertEquals("530 5.7.0 Authentication required", c.command("MAIL FROM:<alice@example.test>"),
                    "RFC 3207 §4.2: nothing learned before TLS survives it");
        }
    }

    @Test
    void authParameterOnMailIsNeverTakenOnTheClientsWord() throws Exception {
        start(Map.of("allowAuthWithoutTls", true));
        try (LineClient c = harness.ehlo()) {
            c.command("MAIL FROM:<s@remote.test> AUTH=ceo@example.test");
            c.command("RCPT TO:<alice@example.test>");
            c.command("DATA");
            c.raw("x\r\n.\r\n");
            c.readLine();
            c.command("AUTH PLAIN " + b64("\0bob@example.test\0secret"));
            c.command("MAIL FROM:<bob@example.test> AUTH=ceo@example.test");
            c.command("RCPT TO:<alice@example.test>");
            c.command("DATA");
            c.raw("x\r\n.\r\n");
            c.readLine();
        }
        assertEquals(Optional.of("<>"), harness.queue.committed.get(0).envelope().parameter("AUTH"));
        assertEquals(Optional.of("bob@example.test"), harness.queue.committed.get(1).envelope().parameter("AUTH"));
    }

    @Test
    void aFailingServiceGivesATemporaryErrorAndTheSessionGoesOn() throws Exception {
        start();
        try (LineClient c = harness.ehlo()) {
            c.command("MAIL FROM:<s@remote.test>");
            assertEquals("451 4.3.0 Mail system temporarily unavailable, try again later", c.command("RCPT TO:<boom@example.test>"));
            assertEquals("250 2.0.0 Ok", c.command("NOOP"));
            assertEquals("250 2.1.0 Sender ok", c.command("MAIL FROM:<s@remote.test>"));
        }
    }
}
