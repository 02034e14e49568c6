package dev.postwerk.pop3.internal;

import static dev.postwerk.pop3.internal.Pop3Harness.ALICE;
import static dev.postwerk.pop3.internal.Pop3Harness.BOB;
import static dev.postwerk.pop3.internal.Pop3Harness.PASSWORD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.postwerk.api.store.MessageInfo;
import dev.postwerk.store.memory.internal.MemoryMailboxStore;

/** The POP3 server over real sockets, with the in-memory store. */
class Pop3ProtocolTest {

    static final String M1 = "From: a@example.org\r\nSubject: one\r\n\r\nHello\r\n";
    static final String M2 = "From: b@example.org\r\nSubject: two\r\n\r\n.starts with a dot\r\nmiddle\r\n.\r\n..two dots\r\nend\r\n";
    static final String M3 = "Subject: three\r\n\r\nl1\r\nl2\r\nl3\r\nl4\r\n";

    @TempDir
    Path data;

    Pop3Harness pop3;

    @BeforeEach
    void setUp() {
        pop3 = new Pop3Harness(data, new MemoryMailboxStore());
    }

    @AfterEach
    void tearDown() {
        pop3.close();
    }

    /** A listener on which USER/PASS and PLAIN work without TLS (the localhost test setting). */
    private Pop3Harness plaintextAllowed() throws IOException {
        return pop3.start(Map.of("allowPlaintextWithoutTls", true));
    }

    private void deliverThree() throws Exception {
        pop3.deliver(ALICE, M1);
        pop3.deliver(ALICE, M2);
        pop3.deliver(ALICE, M3);
    }

    // ---- greeting, CAPA, TLS policy

    @Test
    void greetsAndListsCapabilitiesBeforeTls() throws Exception {
        pop3.start(Map.of("loginDelaySeconds", 0));
        try (Pop3Client c = Pop3Client.connect(pop3.port(), false)) {
            assertEquals("+OK Postwerk POP3 server ready", c.readLine());
            List<String> capa = c.multiLine("CAPA");
            assertEquals(List.of("+OK Capability list follows", "TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE",
                    "PIPELINING", "SASL SCRAM-SHA-256", "STLS", "EXPIRE NEVER", "IMPLEMENTATION Postwerk"), capa,
                    "no USER and no PLAIN before TLS");
        }
    }

    @Test
    void capabilitiesAfterStlsOfferUserAndPlainButNoStls() throws Exception {
        pop3.start(Map.of());
        try (Pop3Client c = pop3.connect()) {
            assertEquals("+OK Begin TLS negotiation", c.command("STLS"));
            c.line.upgradeToTls();
            List<String> capa = c.multiLine("CAPA");
            assertTrue(capa.contains("USER"), capa.toString());
            assertTrue(capa.contains("SASL SCRAM-SHA-256 PLAIN LOGIN"), capa.toString());
            assertFalse(capa.contains("STLS"), capa.toString());
            assertEquals("-ERR TLS not available", c.command("STLS"));
            c.login(ALICE, PASSWORD);
            List<String> inTransaction = c.multiLine("CAPA");
            assertFalse(inTransaction.contains("USER") || inTransaction.stream().anyMatch(l -> l.startsWith("SASL")),
                    inTransaction.toString());
        }
    }

    @Test
    void capabilitiesShowConfiguredExpireLoginDelayAndImplementation() throws Exception {
        pop3.start(Map.of("expire", "30", "loginDelaySeconds", 900, "implementation", "Acme Mail"));
        try (Pop3Client c = pop3.connect()) {
            List<String> capa = c.multiLine("CAPA");
            assertTrue(capa.containsAll(List.of("EXPIRE 30", "LOGIN-DELAY 900", "IMPLEMENTATION Acme Mail")),
                    capa.toString());
        }
    }

    @Test
    void userAndPassAreRefusedWithoutTls() throws Exception {
        pop3.start(Map.of());
        try (Pop3Client c = pop3.connect()) {
            assertEquals("-ERR [AUTH] Plaintext authentication disallowed without TLS", c.command("USER " + ALICE));
            assertEquals("-ERR Send USER first", c.command("PASS " + PASSWORD));
            assertEquals("-ERR [AUTH] Plaintext authentication disallowed without TLS", c.authPlain(ALICE, PASSWORD));
        }
    }

    @Test
    void userAndPassWorkWithoutTlsWhenTheListenerAllowsIt() throws Exception {
        plaintextAllowed();
        deliverThree();
        try (Pop3Client c = pop3.connect()) {
            assertTrue(c.multiLine("CAPA").contains("USER"));
            assertEquals("+OK Send your password", c.command("USER " + ALICE));
            assertEquals("+OK Logged in, 3 messages (" + octets(M1, M2, M3) + " octets)", c.command("PASS " + PASSWORD));
        }
    }

    @Test
    void stlsUpgradesAndIgnoresPlaintextPipelinedAfterIt() throws Exception {
        pop3.start(Map.of());
        try (Pop3Client c = pop3.connect()) {
            // CVE-2011-0411: a command sent in the same packet as STLS must never run
            c.line.raw("STLS\r\nUSER injected\r\n");
            assertEquals("+OK Begin TLS negotiation", c.readLine());
            c.line.upgradeToTls();
            assertEquals("-ERR Send USER first", c.command("PASS " + PASSWORD),
                    "the injected USER must not have been seen");
            c.login(ALICE, PASSWORD);
        }
    }

    @Test
    void implicitTlsServesFromTheFirstByte() throws Exception {
        pop3.start(Map.of("tls", "implicit"));
        pop3.deliver(ALICE, M1);
        try (Pop3Client c = pop3.connectTls()) {
            List<String> capa = c.multiLine("CAPA");
            assertTrue(capa.contains("USER") && !capa.contains("STLS"), capa.toString());
            assertEquals("-ERR TLS not available", c.command("STLS"));
            c.login(ALICE, PASSWORD);
            assertEquals("+OK 1 " + M1.length(), c.command("STAT"));
        }
    }

    @Test
    void plaintextListenerWithoutTlsOffersNoStls() throws Exception {
        pop3.start(Map.of("tls", "none"));
        try (Pop3Client c = pop3.connect()) {
            assertFalse(c.multiLine("CAPA").contains("STLS"));
            assertEquals("-ERR TLS not available", c.command("STLS"));
        }
    }

    // ---- AUTH (RFC 5034)

    @Test
    void authPlainWithInitialResponse() throws Exception {
        plaintextAllowed();
        pop3.deliver(ALICE, M1);
        try (Pop3Client c = pop3.connect()) {
            assertEquals("+OK Logged in, 1 messages (" + M1.length() + " octets)", c.authPlain(ALICE, PASSWORD));
            assertEquals("+OK 1 " + M1.length(), c.command("STAT"));
        }
    }

    @Test
    void authPlainWithEmptyChallengeAndAfterStls() throws Exception {
        pop3.start(Map.of());
        try (Pop3Client c = pop3.connect()) {
            c.command("STLS");
            c.line.upgradeToTls();
            assertEquals("+ ", c.command("AUTH PLAIN"));
            String response = Base64.getEncoder().encodeToString(("\0" + ALICE + "\0" + PASSWORD).getBytes(StandardCharsets.UTF_8));
            assertTrue(c.command(response).startsWith("+OK Logged in"));
        }
    }

    @Test
    void authLoginMechanismStepByStep() throws Exception {
        plaintextAllowed();
        try (Pop3Client c = pop3.connect()) {
            assertEquals("+ " + b64("Username:"), c.command("AUTH LOGIN"));
            assertEquals("+ " + b64("Password:"), c.command(b64(ALICE)));
            assertTrue(c.command(b64(PASSWORD)).startsWith("+OK Logged in"));
        }
    }

    @Test
    void authCanBeCancelledAndRejectsBadBase64AndUnknownMechanisms() throws Exception {
        plaintextAllowed();
        try (Pop3Client c = pop3.connect()) {
            assertEquals("+ ", c.command("AUTH PLAIN"));
            assertEquals("-ERR Authentication cancelled", c.command("*"));
            assertEquals("+ ", c.command("AUTH PLAIN"));
            assertEquals("-ERR Invalid base64 data", c.command("not*base64!"));
            assertEquals("-ERR Invalid base64 data", c.command("AUTH PLAIN %%%"));
            assertEquals("-ERR Unsupported authentication mechanism", c.command("AUTH CRAM-MD5"));
            assertEquals("-ERR Syntax error: AUTH takes a mechanism and an optional initial response",
                    c.command("AUTH PLAIN a b"));
            List<String> mechanisms = c.multiLine("AUTH");
            assertEquals(List.of("+OK Mechanisms follow", "SCRAM-SHA-256", "PLAIN", "LOGIN"), mechanisms);
            // the session is still usable
            assertTrue(c.authPlain(ALICE, PASSWORD).startsWith("+OK"));
        }
    }

    @Test
    void authPlainWithEmptyInitialResponseIsMalformed() throws Exception {
        plaintextAllowed();
        try (Pop3Client c = pop3.connect()) {
            assertEquals("-ERR Malformed authentication data", c.command("AUTH PLAIN ="));
        }
    }

    @Test
    void authScramSha256() throws Exception {
        pop3.start(Map.of()); // SCRAM never sends the password: offered without TLS
        pop3.deliver(ALICE, M1);
        try (Pop3Client c = pop3.connect()) {
            ScramClient scram = new ScramClient(ALICE, PASSWORD);
            String serverFirst = c.command("AUTH SCRAM-SHA-256 " + b64(scram.clientFirst()));
            assertTrue(serverFirst.startsWith("+ "), serverFirst);
            String serverFinal = c.command(b64(scram.clientFinal(unb64(serverFirst.substring(2)))));
            assertTrue(serverFinal.startsWith("+ "), serverFinal);
            assertTrue(scram.verifyServerFinal(unb64(serverFinal.substring(2))), "server signature");
            assertEquals("+OK Logged in, 1 messages (" + M1.length() + " octets)", c.command(""));
        }
    }

    @Test
    void wrongPasswordGivesAuthCodeAndUserMustBeSentAgain() throws Exception {
        plaintextAllowed();
        try (Pop3Client c = pop3.connect()) {
            c.command("USER " + ALICE);
            assertEquals("-ERR [AUTH] Authentication failed", c.command("PASS wrong"));
            assertEquals("-ERR Send USER first", c.command("PASS " + PASSWORD));
            assertEquals("-ERR [AUTH] Authentication failed", c.authPlain(ALICE, "wrong"));
            c.login(ALICE, PASSWORD);
        }
    }

    @Test
    void passwordMayContainSpaces() throws Exception {
        plaintextAllowed();
        try (Pop3Client c = pop3.connect()) {
            c.command("USER " + ALICE);
            assertTrue(c.command("PASS " + PASSWORD).startsWith("+OK"), "'" + PASSWORD + "' has spaces");
        }
    }

    @Test
    void failedLoginReplyIsDelayedWithoutHoldingOtherSessions() throws Exception {
        plaintextAllowed();
        // first failure answered at once, the second only after a brute-force delay
        pop3.guard.delays = n -> n == 1 ? Duration.ZERO : Duration.ofSeconds(2);
        try (Pop3Client attacker = pop3.connect(); Pop3Client other = pop3.connect()) {
            attacker.command("USER " + ALICE);
            assertEquals("-ERR [AUTH] Authentication failed", attacker.command("PASS wrong"));
            attacker.command("USER " + ALICE);
            // the command pipelined after the failing PASS waits for the delayed reply
            attacker.line.raw("PASS wrong again\r\nCAPA\r\n");
            List<String> order = Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<String> delayed = CompletableFuture.supplyAsync(() -> {
                try {
                    String reply = attacker.readLine();
                    order.add("attacker failure reply");
                    return reply;
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            // meanwhile another client is served completely
            other.login(BOB, PASSWORD);
            assertEquals("+OK 0 0", other.command("STAT"));
            other.expectOkAfter("QUIT");
            order.add("other session done");
            assertEquals("-ERR [AUTH] Authentication failed", delayed.get(10, TimeUnit.SECONDS));
            assertEquals(List.of("other session done", "attacker failure reply"), order);
            assertEquals("+OK Capability list follows", attacker.readMultiLine().get(0));
        }
    }

    @Test
    void blockedAddressGetsSysTempAndIsDisconnected() throws Exception {
        plaintextAllowed();
        pop3.guard.refuseAll = true;
        try (Pop3Client c = pop3.connect()) {
            c.command("USER " + ALICE);
            assertEquals("-ERR [SYS/TEMP] Too many failed logins from your address, try again later",
                    c.command("PASS " + PASSWORD));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void apopIsNotOffered() throws Exception {
        pop3.start(Map.of());
        try (Pop3Client c = pop3.connect()) {
            assertFalse(c.multiLine("CAPA").stream().anyMatch(l -> l.contains("APOP")));
            assertEquals("-ERR APOP not supported, use AUTH or USER and PASS", c.command("APOP alice 0123456789abcdef"));
        }
    }

    // ---- TRANSACTION

    @Test
    void statListAndUidl() throws Exception {
        plaintextAllowed();
        deliverThree();
        List<MessageInfo> stored = pop3.inbox(ALICE);
        try (Pop3Client c = pop3.connect().login(ALICE, PASSWORD)) {
            assertEquals("+OK 3 " + octets(M1, M2, M3), c.command("STAT"));
            assertEquals(List.of("+OK 3 messages (" + octets(M1, M2, M3) + " octets)", "1 " + M1.length(),
                    "2 " + M2.length(), "3 " + M3.length()), c.multiLine("LIST"));
            assertEquals("+OK 2 " + M2.length(), c.command("LIST 2"));
            List<String> uidl = c.multiLine("UIDL");
            assertEquals(4, uidl.size());
            assertEquals("+OK Unique-ID listing follows", uidl.get(0));
            assertEquals("+OK 3 " + uidl.get(3).substring(2), c.command("UIDL 3"));
            assertTrue(uidl.get(1).endsWith("." + stored.get(0).uid()), uidl.toString());
            assertEquals(3, uidl.stream().skip(1).map(l -> l.substring(2)).distinct().count());
            for (String l : uidl.subList(1, 4)) {
                String id = l.substring(2);
                assertTrue(id.length() <= 70 && id.chars().allMatch(ch -> ch >= 0x21 && ch <= 0x7e), id);
            }
        }
    }

    @Test
    void retrIsByteExactIncludingLinesStartingWithADot() throws Exception {
        plaintextAllowed();
        deliverThree();
        byte[] binaryish = "Subject: 8bit\r\n\r\n\u00e4\u00f6\u00fc caf\u00e9\r\n.\r\n".getBytes(StandardCharsets.UTF_8);
        pop3.deliver(ALICE, binaryish);
        try (Pop3Client c = pop3.connect().login(ALICE, PASSWORD)) {
            assertEquals("+OK " + M2.length() + " octets", c.command("RETR 2"));
            byte[] wire = c.readRawBody();
            assertEquals("From: b@example.org\r\nSubject: two\r\n\r\n..starts with a dot\r\nmiddle\r\n..\r\n...two dots\r\nend\r\n.\r\n",
                    new String(wire, StandardCharsets.ISO_8859_1));
            assertArrayEquals(M2.getBytes(StandardCharsets.UTF_8), unstuff(wire));
            assertEquals("+OK " + binaryish.length + " octets", c.command("RETR 4"));
            assertArrayEquals(binaryish, unstuff(c.readRawBody()));
            // pipelined RETRs come back in order
            c.line.raw("RETR 1\r\nRETR 3\r\nNOOP\r\n");
            List<String> first = c.readMultiLine();
            assertEquals("Hello", first.get(first.size() - 1));
            List<String> third = c.readMultiLine();
            assertEquals("l4", third.get(third.size() - 1));
            assertEquals("+OK", c.readLine());
        }
    }

    @Test
    void largeMessageIsStreamedWhole() throws Exception {
        plaintextAllowed();
        StringBuilder big = new StringBuilder("Subject: big\r\n\r\n");
        for (int i = 0; big.length() < 3_000_000; i++) {
            big.append(i % 17 == 0 ? "." : "").append("line ").append(i).append(" of a large message body\r\n");
        }
        pop3.deliver(ALICE, big.toString());
        try (Pop3Client c = pop3.connect().login(ALICE, PASSWORD)) {
            c.send("RETR 1");
            List<String> lines = c.readMultiLine();
            assertEquals("+OK " + big.length() + " octets", lines.get(0));
            String joined = String.join("\r\n", lines.subList(1, lines.size())) + "\r\n";
            assertEquals(big.toString(), joined);
        }
    }

    @Test
    void topSendsHeaderBlankLineAndRequestedBodyLines() throws Exception {
        plaintextAllowed();
        deliverThree();
        try (Pop3Client c = pop3.connect().login(ALICE, PASSWORD)) {
            assertEquals(List.of("+OK Top of message follows", "Subject: three", ""), c.multiLine("TOP 3 0"));
            assertEquals(List.of("+OK Top of message follows", "Subject: three", "", "l1", "l2"),
                    c.multiLine("TOP 3 2"));
            assertEquals(List.of("+OK Top of message follows", "Subject: three", "", "l1", "l2", "l3", "l4"),
                    c.multiLine("TOP 3 100"));
            assertEquals(List.of("+OK Top of message follows", "From: b@example.org", "Subject: two", "",
                    ".starts with a dot"), c.multiLine("TOP 2 1"));
            assertEquals("-ERR Syntax error: TOP takes a message number and a number of lines", c.command("TOP 1"));
            assertEquals("-ERR Syntax error: the number of lines must be a non-negative number", c.command("TOP 1 -1"));
            assertEquals("-ERR No such message", c.command("TOP 9 0"));
        }
    }

    @Test
    void aWholePipelinedSessionIsAnsweredInOrder() throws Exception {
        plaintextAllowed();
        deliverThree();
        try (Pop3Client c = pop3.connect()) {
            // RFC 2449 §6.6 PIPELINING: the client sends without waiting for each reply
            c.line.raw("CAPA\r\nUSER " + ALICE + "\r\nPASS " + PASSWORD + "\r\nSTAT\r\nLIST\r\nUIDL 1\r\nTOP 1 0\r\n"
                    + "DELE 3\r\nQUIT\r\n");
            assertEquals("+OK Capability list follows", c.readMultiLine().get(0));
            assertEquals("+OK Send your password", c.readLine());
            assertTrue(c.readLine().startsWith("+OK Logged in, 3 messages"));
            assertEquals("+OK 3 " + octets(M1, M2, M3), c.readLine());
            assertEquals(4, c.readMultiLine().size());
            assertTrue(c.readLine().startsWith("+OK 1 "));
            assertEquals(List.of("+OK Top of message follows", "From: a@example.org", "Subject: one", ""),
                    c.readMultiLine());
            assertEquals("+OK Message 3 deleted", c.readLine());
            assertEquals("+OK Signing off, 1 messages deleted", c.readLine());
            assertTrue(c.closedByServer());
        }
        assertEquals(2, pop3.inbox(ALICE).size());
    }

    @Test
    void deleMarksOnlyAndRsetUnmarks() throws Exception {
        plaintextAllowed();
        deliverThree();
        try (Pop3Client c = pop3.connect().login(ALICE, PASSWORD)) {
            assertEquals("+OK Message 2 deleted", c.command("DELE 2"));
            assertEquals("-ERR Message 2 is deleted", c.command("DELE 2"));
            assertEquals("-ERR Message 2 is deleted", c.command("RETR 2"));
            assertEquals("-ERR Message 2 is deleted", c.command("LIST 2"));
            assertEquals("-ERR Message 2 is deleted", c.command("UIDL 2"));
            assertEquals("+OK 2 " + octets(M1, M3), c.command("STAT"));
            assertEquals(List.of("+OK 2 messages (" + octets(M1, M3) + " octets)", "1 " + M1.length(),
                    "3 " + M3.length()), c.multiLine("LIST"));
            assertEquals(3, c.multiLine("UIDL").size());
            assertEquals(3, pop3.inbox(ALICE).size(), "nothing is removed before QUIT");
            assertEquals("+OK Maildrop has 3 messages (" + octets(M1, M2, M3) + " octets)", c.command("RSET"));
            assertEquals("+OK 2 " + M2.length(), c.command("LIST 2"));
        }
    }

    @Test
    void deletionsHappenAtQuitThroughTheStore() throws Exception {
        plaintextAllowed();
        deliverThree();
        List<MessageInfo> before = pop3.inbox(ALICE);
        try (Pop3Client c = pop3.connect().login(ALICE, PASSWORD)) {
            c.command("DELE 1");
            c.command("DELE 3");
            assertEquals(3, pop3.inbox(ALICE).size());
            assertEquals("+OK Signing off, 2 messages deleted", c.command("QUIT"));
            assertTrue(c.closedByServer());
        }
        List<MessageInfo> after = pop3.inbox(ALICE);
        assertEquals(List.of(before.get(1).uid()), after.stream().map(MessageInfo::uid).toList());
        try (Pop3Client c = pop3.connect().login(ALICE, PASSWORD)) {
            assertEquals("+OK 1 " + M2.length(), c.command("STAT"));
            assertEquals("+OK Postwerk POP3 server signing off", c.command("QUIT"));
        }
    }

    @Test
    void droppedConnectionDeletesNothingAndFreesTheLock() throws Exception {
        plaintextAllowed();
        deliverThree();
        try (Pop3Client c = pop3.connect().login(ALICE, PASSWORD)) {
            c.command("DELE 1");
            c.command("DELE 2");
        } // closed without QUIT
        waitUntil(() -> !pop3.locks.isLocked(ALICE));
        assertEquals(3, pop3.inbox(ALICE).size());
        try (Pop3Client c = pop3.connect().login(ALICE, PASSWORD)) {
            assertEquals("+OK 3 " + octets(M1, M2, M3), c.command("STAT"));
        }
    }

    @Test
    void secondSessionOfTheSameUserGetsInUse() throws Exception {
        plaintextAllowed();
        try (Pop3Client first = pop3.connect().login(ALICE, PASSWORD); Pop3Client second = pop3.connect()) {
            second.command("USER " + ALICE);
            assertEquals("-ERR [IN-USE] Maildrop already locked by another POP3 session",
                    second.command("PASS " + PASSWORD));
            assertEquals("-ERR [IN-USE] Maildrop already locked by another POP3 session",
                    second.authPlain(ALICE, PASSWORD));
            // another user is not affected
            assertTrue(second.authPlain(BOB, PASSWORD).startsWith("+OK"));
            first.expectOkAfter("QUIT");
        }
        try (Pop3Client again = pop3.connect()) {
            assertTrue(again.authPlain(ALICE, PASSWORD).startsWith("+OK"), "QUIT released the lock");
        }
    }

    @Test
    void snapshotDoesNotShowMessagesDeliveredDuringTheSession() throws Exception {
        plaintextAllowed();
        pop3.deliver(ALICE, M1);
        try (Pop3Client c = pop3.connect().login(ALICE, PASSWORD)) {
            pop3.deliver(ALICE, M2);
            assertEquals("+OK 1 " + M1.length(), c.command("STAT"));
            assertEquals(2, c.multiLine("LIST").size());
            assertEquals("-ERR No such message", c.command("RETR 2"));
            c.command("DELE 1");
            c.expectOkAfter("QUIT");
        }
        try (Pop3Client c = pop3.connect().login(ALICE, PASSWORD)) {
            assertEquals("+OK 1 " + M2.length(), c.command("STAT"), "the new message stays and shows now");
        }
    }

    @Test
    void loginDelayRefusesALoginTooSoonAfterTheLast() throws Exception {
        pop3.start(Map.of("allowPlaintextWithoutTls", true, "loginDelaySeconds", 3600));
        try (Pop3Client c = pop3.connect().login(ALICE, PASSWORD)) {
            c.expectOkAfter("QUIT");
        }
        try (Pop3Client c = pop3.connect()) {
            assertEquals("-ERR [LOGIN-DELAY] Logged in too recently, wait 3600 seconds between logins",
                    c.authPlain(ALICE, PASSWORD));
            assertTrue(c.authPlain(BOB, PASSWORD).startsWith("+OK"));
        }
    }

    @Test
    void expireZeroDeletesRetrievedMessagesAtQuit() throws Exception {
        pop3.start(Map.of("allowPlaintextWithoutTls", true, "expire", "0"));
        deliverThree();
        try (Pop3Client c = pop3.connect().login(ALICE, PASSWORD)) {
            assertTrue(c.multiLine("CAPA").contains("EXPIRE 0"));
            c.multiLine("RETR 2");
            c.multiLine("TOP 3 0");
            assertEquals("+OK Signing off, 1 messages deleted", c.command("QUIT"));
        }
        assertEquals(2, pop3.inbox(ALICE).size(), "TOP is not a retrieval");
    }

    // ---- bad input

    @Test
    void badInputGetsClearErrorsAndTheSessionGoesOn() throws Exception {
        pop3.start(Map.of("allowPlaintextWithoutTls", true, "maxErrors", 50));
        deliverThree();
        try (Pop3Client c = pop3.connect()) {
            assertEquals("-ERR Unknown command", c.command("FROB"));
            assertEquals("-ERR Unknown command", c.command(""));
            assertEquals("-ERR Command not valid in this state", c.command("STAT"));
            assertEquals("-ERR Command not valid in this state", c.command("RETR 1"));
            assertEquals("-ERR Syntax error: USER needs a name", c.command("USER"));
            c.login(ALICE, PASSWORD);
            assertEquals("-ERR Command not valid in this state", c.command("USER " + ALICE));
            assertEquals("-ERR Command not valid in this state", c.command("STLS"));
            assertEquals("-ERR Syntax error: message number expected", c.command("RETR one"));
            assertEquals("-ERR Syntax error: RETR takes one message number", c.command("RETR"));
            assertEquals("-ERR Syntax error: message number expected", c.command("DELE -1"));
            assertEquals("-ERR No such message", c.command("DELE 0"));
            assertEquals("-ERR No such message", c.command("LIST 4"));
            assertEquals("-ERR No such message", c.command("UIDL 99999999999"));
            assertEquals("-ERR Syntax error: message number expected", c.command("LIST 999999999999999999999999"));
            assertEquals("-ERR Syntax error: LIST takes at most one message number", c.command("LIST 1 2"));
            assertEquals("+OK 3 " + octets(M1, M2, M3), c.command("stat"), "commands are case-insensitive");
        }
    }

    @Test
    void overLongLinesAndBareLineEndsAreErrors() throws Exception {
        pop3.start(Map.of("allowPlaintextWithoutTls", true, "maxLineLength", 256));
        try (Pop3Client c = pop3.connect()) {
            assertEquals("-ERR Line too long", c.command("USER " + "x".repeat(1000)));
            c.line.raw("CAPA\n");
            assertEquals("-ERR Lines must end with CRLF", c.readLine());
            c.line.raw("NO\rOP\r\n");
            assertEquals("-ERR Lines must end with CRLF", c.readLine());
            c.login(ALICE, PASSWORD);
            assertEquals("+OK", c.command("NOOP"));
        }
    }

    @Test
    void tooManyErrorsEndTheSession() throws Exception {
        pop3.start(Map.of("maxErrors", 3));
        try (Pop3Client c = pop3.connect()) {
            assertEquals("-ERR Unknown command", c.command("ONE"));
            assertEquals("-ERR Unknown command", c.command("TWO"));
            assertEquals("-ERR Too many errors, closing connection", c.command("THREE"));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void idleSessionIsLoggedOutWithoutUpdate() throws Exception {
        pop3.start(Map.of("allowPlaintextWithoutTls", true, "idleTimeoutSeconds", 1));
        deliverThree();
        try (Pop3Client c = pop3.connect().login(ALICE, PASSWORD)) {
            c.command("DELE 1");
            assertEquals("-ERR Autologout, idle for too long", c.readLine());
            assertTrue(c.closedByServer());
        }
        waitUntil(() -> !pop3.locks.isLocked(ALICE));
        assertEquals(3, pop3.inbox(ALICE).size());
    }

    @Test
    void quitInAuthorizationAndPipelinedCommandsAfterQuitAreIgnored() throws Exception {
        pop3.start(Map.of());
        try (Pop3Client c = pop3.connect()) {
            c.line.raw("NOOP\r\nQUIT\r\nCAPA\r\n");
            assertEquals("-ERR Command not valid in this state", c.readLine());
            assertEquals("+OK Postwerk POP3 server signing off", c.readLine());
            assertTrue(c.closedByServer());
        }
    }

    // ---- services missing, shutdown, reconfiguration

    @Test
    void missingStoreOrSaslGivesSysTemp() throws Exception {
        plaintextAllowed();
        pop3.server.store(null);
        try (Pop3Client c = pop3.connect()) {
            assertEquals("-ERR [SYS/TEMP] Mail store unavailable, try again later", c.authPlain(ALICE, PASSWORD));
            assertFalse(pop3.locks.isLocked(ALICE));
            pop3.server.sasl(null);
            assertFalse(c.multiLine("CAPA").stream().anyMatch(l -> l.startsWith("SASL")));
            assertEquals("-ERR [SYS/TEMP] Authentication unavailable, try again later", c.authPlain(ALICE, PASSWORD));
            c.command("USER " + ALICE);
            assertEquals("-ERR [SYS/TEMP] Authentication unavailable, try again later", c.command("PASS " + PASSWORD));
            pop3.server.store(pop3.store);
            pop3.server.sasl(pop3.sasl);
            assertTrue(c.authPlain(ALICE, PASSWORD).startsWith("+OK"), "services back: logins work again");
        }
    }

    @Test
    void shutdownSaysGoodbyeAndDeletesNothing() throws Exception {
        plaintextAllowed();
        deliverThree();
        try (Pop3Client c = pop3.connect().login(ALICE, PASSWORD)) {
            c.command("DELE 1");
            pop3.server.deactivate();
            assertEquals("-ERR [SYS/TEMP] Server shutting down, try again later", c.readLine());
            assertTrue(c.closedByServer());
        }
        pop3.server = null;
        assertEquals(3, pop3.inbox(ALICE).size());
        waitUntil(() -> !pop3.locks.isLocked(ALICE));
    }

    @Test
    void refusedConnectionGetsSysTemp() throws Exception {
        pop3.start(Map.of("maxConnectionsPerClient", 1));
        try (Pop3Client first = pop3.connect(); Pop3Client second = Pop3Client.connect(pop3.port(), false)) {
            assertEquals("-ERR [SYS/TEMP] Too many connections from your address, try again later", second.readLine());
            assertTrue(second.closedByServer());
            assertEquals("+OK Capability list follows", first.multiLine("CAPA").get(0));
        }
    }

    @Test
    void changedPortRebinds() throws Exception {
        pop3.start(Map.of());
        int port = pop3.port();
        int newPort;
        try (ServerSocket free = new ServerSocket(0)) {
            newPort = free.getLocalPort();
        }
        pop3.server.modified(Pop3Harness.config(Map.of("port", newPort)));
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
        try (Pop3Client c = Pop3Client.connect(newPort, false)) {
            assertEquals("+OK Postwerk POP3 server ready", c.readLine());
        }
    }

    // ---- helpers

    static long octets(String... messages) {
        long total = 0;
        for (String m : messages) {
            total += m.getBytes(StandardCharsets.UTF_8).length;
        }
        return total;
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static String unb64(String s) {
        return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
    }

    /** Removes the framing of a raw multi-line body: the terminator and the stuffed dots. */
    static byte[] unstuff(byte[] wire) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int end = wire.length - 3; // ".\r\n"
        boolean lineStart = true;
        for (int i = 0; i < end; i++) {
            if (lineStart && wire[i] == '.') {
                i++;
            }
            out.write(wire[i]);
            lineStart = wire[i] == '\n';
        }
        return out.toByteArray();
    }

    static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(10); // polling a condition with a bound, not synchronising by time
        }
    }
}
