package dev.postwerk.sasl.internal;

import dev.postwerk.testkit.time.MutableClock;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import dev.postwerk.api.sasl.FailureReason;
import dev.postwerk.api.sasl.SaslContext;
import dev.postwerk.api.sasl.SaslExchange;
import dev.postwerk.api.sasl.SaslResult;
import dev.postwerk.api.sasl.SaslStep;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SaslAuthenticatorTest {

    static final String RFC7677_SERVER_NONCE = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";

    MutableClock clock = new MutableClock();
    BruteForceGuard guard = new BruteForceGuard(clock, new BruteForceGuard.Settings(Duration.ofMillis(500),
            Duration.ofSeconds(15), 3, Duration.ofMinutes(10), Duration.ofMinutes(15), 100));
    FakeDirectory directory = new FakeDirectory();
    SaslAuthenticatorImpl sasl;
    SaslContext tls;
    SaslContext plain;

    @BeforeEach
    void setUp() throws Exception {
        directory.add("tim", "tanstaaftanstaaf").add("Ursel", "ursel-pw").add("Kurt", "xipj3plmq")
                .add("boss", "boss-pw", true, false).add("gone", "gone-pw", false, true)
                .add("user", "pencil").withScram("user", Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
        sasl = new SaslAuthenticatorImpl(() -> RFC7677_SERVER_NONCE).with(guard, directory,
                List.of("SCRAM-SHA-256", "PLAIN", "LOGIN"));
        tls = SaslContext.of(InetAddress.getByName("192.0.2.10"), true, "mx.example.com");
        plain = SaslContext.of(InetAddress.getByName("192.0.2.11"), false, "mx.example.com");
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(SaslStep step) {
        return new String(assertInstanceOf(SaslStep.Challenge.class, step).data(), StandardCharsets.UTF_8);
    }

    static FailureReason failure(SaslStep step) {
        return assertInstanceOf(SaslResult.Failure.class, step).reason();
    }

    static SaslResult.Success success(SaslStep step) {
        return assertInstanceOf(SaslResult.Success.class, step);
    }

    // ---- offering

    @Test
    void plaintextMechanismsAreOfferedOnlyUnderTlsOrWhenTheListenerAllowsIt() throws Exception {
        assertEquals(List.of("SCRAM-SHA-256", "PLAIN", "LOGIN"), sasl.mechanisms(tls));
        assertEquals(List.of("SCRAM-SHA-256"), sasl.mechanisms(plain));
        SaslContext local = new SaslContext(InetAddress.getLoopbackAddress(), false, true, "localhost");
        assertEquals(List.of("SCRAM-SHA-256", "PLAIN", "LOGIN"), sasl.mechanisms(local));
        assertEquals(FailureReason.ENCRYPTION_REQUIRED,
                failure(sasl.exchange("plain", plain).start(Optional.of(bytes("\0tim\0tanstaaftanstaaf")))));
        assertEquals(FailureReason.ENCRYPTION_REQUIRED, failure(sasl.login(plain, "tim", "tanstaaftanstaaf".toCharArray())));
        success(sasl.exchange("PLAIN", local).start(Optional.of(bytes("\0tim\0tanstaaftanstaaf"))));
    }

    @Test
    void unknownOrDisabledMechanismsAreRefused() {
        assertEquals(FailureReason.UNSUPPORTED_MECHANISM, failure(sasl.exchange("CRAM-MD5", tls).start(Optional.empty())));
        assertEquals(FailureReason.UNSUPPORTED_MECHANISM, failure(sasl.exchange("X-NOPE", tls).start(Optional.empty())));
        SaslAuthenticatorImpl onlyScram = new SaslAuthenticatorImpl(() -> "n").with(guard, directory, List.of("scram-sha-256", "BOGUS"));
        assertEquals(List.of("SCRAM-SHA-256"), onlyScram.mechanisms(tls));
        assertEquals(FailureReason.UNSUPPORTED_MECHANISM, failure(onlyScram.exchange("PLAIN", tls).start(Optional.empty())));
    }

    @Test
    void mechanismListFromACfgFileIsOneCommaSeparatedString() {
        SaslAuthenticatorImpl configured = new SaslAuthenticatorImpl(() -> "n").with(guard, directory, List.of());
        configured.activate(dev.postwerk.testkit.osgi.ConfigAnnotations.of(SaslConfig.class,
                java.util.Map.of("mechanisms", new String[] {"PLAIN, SCRAM-SHA-256"})));
        assertEquals(List.of("PLAIN", "SCRAM-SHA-256"), configured.mechanisms(tls));
    }

    // ---- PLAIN, RFC 4616

    @Test
    void plainAcceptsTheRfc4616ExampleAsInitialResponse() {
        SaslExchange x = sasl.exchange("PLAIN", tls);
        SaslResult.Success s = success(x.start(Optional.of(bytes("\0tim\0tanstaaftanstaaf"))));
        assertEquals("tim", s.principal().name());
        assertEquals("tim", s.authenticatedAs());
        assertTrue(x.isComplete());
        assertThrows(IllegalStateException.class, () -> x.respond(new byte[0]));
    }

    @Test
    void plainWithoutInitialResponseSendsAnEmptyChallengeFirst() {
        SaslExchange x = sasl.exchange("PLAIN", tls);
        assertEquals("", text(x.start(Optional.empty())));
        success(x.respond(bytes("tim\0tim\0tanstaaftanstaaf")));
    }

    @Test
    void plainRefusesTheRfc4616SecondExampleBecauseKurtMayNotActAsUrsel() {
        assertEquals(FailureReason.AUTHORIZATION_DENIED,
                failure(sasl.exchange("PLAIN", tls).start(Optional.of(bytes("Ursel\0Kurt\0xipj3plmq")))));
    }

    @Test
    void aMasterUserMayActAsAnotherUser() {
        SaslResult.Success s = success(sasl.exchange("PLAIN", tls).start(Optional.of(bytes("Ursel\0boss\0boss-pw"))));
        assertEquals("Ursel", s.principal().name());
        assertEquals("boss", s.authenticatedAs());
        assertEquals(FailureReason.AUTHORIZATION_DENIED,
                failure(sasl.exchange("PLAIN", tls).start(Optional.of(bytes("nobody\0boss\0boss-pw")))));
    }

    @Test
    void plainRejectsMalformedMessages() {
        for (String m : new String[] {"tim tanstaaf", "\0tim", "\0tim\0", "\0\0pw", "a\0b\0c\0d"}) {
            assertEquals(FailureReason.MALFORMED, failure(sasl.exchange("PLAIN", tls).start(Optional.of(bytes(m)))), m);
        }
        byte[] badUtf8 = {0, 't', 'i', 'm', 0, (byte) 0xC3, (byte) 0x28};
        assertEquals(FailureReason.MALFORMED, failure(sasl.exchange("PLAIN", tls).start(Optional.of(badUtf8))));
    }

    @Test
    void wrongPasswordFailsWithAGrowingDelayAndDisabledAccountsSaySo() {
        SaslResult.Failure f1 = assertInstanceOf(SaslResult.Failure.class,
                sasl.exchange("PLAIN", tls).start(Optional.of(bytes("\0tim\0wrong"))));
        assertEquals(FailureReason.INVALID_CREDENTIALS, f1.reason());
        assertEquals(Duration.ofMillis(500), f1.replyDelay());
        SaslResult.Failure f2 = assertInstanceOf(SaslResult.Failure.class,
                sasl.exchange("PLAIN", tls).start(Optional.of(bytes("\0nobody\0wrong"))));
        assertEquals(Duration.ofMillis(1000), f2.replyDelay());
        assertEquals(FailureReason.DISABLED, failure(sasl.exchange("PLAIN", tls).start(Optional.of(bytes("\0gone\0gone-pw")))));
    }

    // ---- LOGIN

    @Test
    void loginAsksForUserNameThenPassword() {
        SaslExchange x = sasl.exchange("LOGIN", tls);
        assertEquals("Username:", text(x.start(Optional.empty())));
        assertEquals("Password:", text(x.respond(bytes("tim"))));
        assertEquals("tim", success(x.respond(bytes("tanstaaftanstaaf"))).principal().name());
    }

    @Test
    void loginTakesTheUserNameAsInitialResponse() {
        SaslExchange x = sasl.exchange("LOGIN", tls);
        assertEquals("Password:", text(x.start(Optional.of(bytes("tim")))));
        assertEquals(FailureReason.INVALID_CREDENTIALS, failure(x.respond(bytes("nope"))));
    }

    // ---- SCRAM-SHA-256, RFC 7677 §3

    @Test
    void scramFollowsTheRfc7677ExampleExactly() {
        SaslExchange x = sasl.exchange("SCRAM-SHA-256", plain);
        assertEquals("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
                text(x.start(Optional.of(bytes("n,,n=user,r=rOprNGfwEbeRWgbNEkqO")))));
        assertEquals("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", text(x.respond(bytes(
                "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="))));
        assertTrue(!x.isComplete());
        assertEquals("user", success(x.respond(new byte[0])).principal().name());
    }

    static final String FINAL_WRONG_PROOF =
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=AAAAAapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";

    @Test
    void scramRejectsAWrongProofWithoutSendingTheServerSignature() {
        SaslExchange x = sasl.exchange("SCRAM-SHA-256", tls);
        x.start(Optional.empty());
        text(x.respond(bytes("n,,n=user,r=rOprNGfwEbeRWgbNEkqO")));
        SaslResult.Failure f = assertInstanceOf(SaslResult.Failure.class, x.respond(bytes(FINAL_WRONG_PROOF)));
        assertEquals(FailureReason.INVALID_CREDENTIALS, f.reason());
        assertEquals(Duration.ofMillis(500), f.replyDelay());
    }

    @Test
    void scramAnswersUnknownUsersLikeKnownOnesUntilTheProof() {
        String first = text(sasl.exchange("SCRAM-SHA-256", tls).start(Optional.of(bytes("n,,n=ghost,r=abc"))));
        String again = text(sasl.exchange("SCRAM-SHA-256", tls).start(Optional.of(bytes("n,,n=ghost,r=abc"))));
        assertTrue(first.matches("r=abc.+,s=[A-Za-z0-9+/=]{24},i=4096"), first);
        assertEquals(first, again, "the same fake salt every time, as for a real user");
        SaslExchange x = sasl.exchange("SCRAM-SHA-256", tls);
        x.start(Optional.of(bytes("n,,n=ghost,r=abc")));
        assertEquals(FailureReason.INVALID_CREDENTIALS, failure(x.respond(bytes(
                "c=biws,r=abc" + RFC7677_SERVER_NONCE + ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="))));
    }

    @Test
    void scramRefusesChannelBindingReservedAttributesAndTampering() {
        assertEquals(FailureReason.MALFORMED, failure(sasl.exchange("SCRAM-SHA-256", tls)
                .start(Optional.of(bytes("p=tls-unique,,n=user,r=abc")))));
        assertEquals(FailureReason.MALFORMED, failure(sasl.exchange("SCRAM-SHA-256", tls)
                .start(Optional.of(bytes("n,,m=ext,n=user,r=abc")))));
        assertEquals(FailureReason.MALFORMED, failure(sasl.exchange("SCRAM-SHA-256", tls)
                .start(Optional.of(bytes("n,,n=us=er,r=abc")))));
        SaslExchange wrongNonce = sasl.exchange("SCRAM-SHA-256", tls);
        wrongNonce.start(Optional.of(bytes("n,,n=user,r=rOprNGfwEbeRWgbNEkqO")));
        assertEquals(FailureReason.MALFORMED, failure(wrongNonce.respond(bytes("c=biws,r=other,p=AAAA"))));
        SaslExchange wrongBinding = sasl.exchange("SCRAM-SHA-256", tls);
        wrongBinding.start(Optional.of(bytes("n,,n=user,r=rOprNGfwEbeRWgbNEkqO")));
        assertEquals(FailureReason.MALFORMED, failure(wrongBinding.respond(bytes(
                "c=eSws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="))));
    }

    @Test
    void scramAuthorizationIdentityFollowsTheSameRule() {
        SaslExchange x = sasl.exchange("SCRAM-SHA-256", tls);
        String gs2 = "n,a=Ursel,";
        x.start(Optional.of(bytes(gs2 + "n=user,r=rOprNGfwEbeRWgbNEkqO")));
        // the proof is bound to the gs2 header, so it differs from the RFC's; a wrong proof with
        // the right binding still fails on credentials, proving the header was parsed
        String c = Base64.getEncoder().encodeToString(bytes(gs2));
        assertEquals(FailureReason.INVALID_CREDENTIALS, failure(x.respond(bytes(
                "c=" + c + ",r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="))));
        assertEquals(Optional.of("a,b=c"), ScramSha256Mechanism.saslName("a=2Cb=3Dc"));
    }

    @Test
    void scramNeedsAnEmptyAnswerAfterTheServerSignature() {
        SaslExchange x = sasl.exchange("SCRAM-SHA-256", tls);
        x.start(Optional.of(bytes("n,,n=user,r=rOprNGfwEbeRWgbNEkqO")));
        x.respond(bytes("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="));
        assertEquals(FailureReason.MALFORMED, failure(x.respond(bytes("junk"))));
    }

    // ---- guard and directory

    @Test
    void aRefusedAddressGetsBlockedWhileOthersLogInToTheSameAccount() throws Exception {
        for (int i = 0; i < 3; i++) {
            failure(sasl.exchange("PLAIN", tls).start(Optional.of(bytes("\0tim\0guess" + i))));
        }
        assertEquals(FailureReason.BLOCKED, failure(sasl.exchange("PLAIN", tls).start(Optional.of(bytes("\0tim\0tanstaaftanstaaf")))));
        assertEquals(FailureReason.BLOCKED, failure(sasl.exchange("SCRAM-SHA-256", tls).start(Optional.empty())));
        assertEquals(FailureReason.BLOCKED, failure(sasl.login(tls, "tim", "tanstaaftanstaaf".toCharArray())));
        SaslContext elsewhere = SaslContext.of(InetAddress.getByName("203.0.113.5"), true, "mx");
        SaslResult.Success s = success(sasl.exchange("PLAIN", elsewhere).start(Optional.of(bytes("\0tim\0tanstaaftanstaaf"))));
        assertEquals("tim", s.principal().name());
        clock.advance(Duration.ofMinutes(15));
        success(sasl.login(tls, "tim", "tanstaaftanstaaf".toCharArray()));
    }

    @Test
    void plainLoginOutsideSaslUsesTheSameRules() {
        assertEquals("tim", success(sasl.login(tls, "tim", "tanstaaftanstaaf".toCharArray())).principal().name());
        SaslResult.Failure f = assertInstanceOf(SaslResult.Failure.class, sasl.login(tls, "tim", "no".toCharArray()));
        assertEquals(FailureReason.INVALID_CREDENTIALS, f.reason());
        assertTrue(f.replyDelay().compareTo(Duration.ZERO) > 0);
    }

    @Test
    void withoutADirectoryLoginsFailTemporarily() {
        SaslAuthenticatorImpl none = new SaslAuthenticatorImpl(() -> "n").with(guard, null, List.of("PLAIN", "SCRAM-SHA-256"));
        assertEquals(FailureReason.TEMPORARY, failure(none.exchange("PLAIN", tls).start(Optional.of(bytes("\0tim\0x")))));
        assertEquals(FailureReason.TEMPORARY, failure(none.exchange("SCRAM-SHA-256", tls).start(Optional.of(bytes("n,,n=user,r=a")))));
        assertEquals(FailureReason.TEMPORARY, failure(none.login(tls, "tim", "x".toCharArray())));
        assertEquals(Optional.empty(), guard.refusedFor(tls.client()), "an outage is not the client's fault");
    }

    @Test
    void challengesAndResultsAreCopiedSoCallersCannotChangeThem() {
        SaslStep.Challenge c = new SaslStep.Challenge(bytes("abc"));
        c.data()[0] = 'x';
        assertArrayEquals(bytes("abc"), c.data());
    }
}
