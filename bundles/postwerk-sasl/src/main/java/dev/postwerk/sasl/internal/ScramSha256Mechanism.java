package dev.postwerk.sasl.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Supplier;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.postwerk.api.directory.AuthResult;
import dev.postwerk.api.directory.Principal;
import dev.postwerk.api.directory.ScramCredential;
import dev.postwerk.api.sasl.FailureReason;
import dev.postwerk.api.sasl.SaslContext;

/**
 * SCRAM-SHA-256 (RFC 7677 on RFC 5802), server side, from the directory's stored keys: the
 * password never reaches the server. Without channel binding (no -PLUS variant offered).
 */
final class ScramSha256Mechanism implements Mechanism {

    private static final String HASH = "SHA-256";
    private static final String HMAC = "HmacSHA256";
    private static final int MAX_MESSAGE = 4096;

    private final Supplier<String> nonces;
    /** Keys fake salts for unknown users, so they look like known ones (RFC 5802 §9 "user enumeration"). */
    private final byte[] fakeSaltKey;
    private final int fakeIterations;

    ScramSha256Mechanism(Supplier<String> nonces, byte[] fakeSaltKey, int fakeIterations) {
        this.nonces = nonces;
        this.fakeSaltKey = fakeSaltKey.clone();
        this.fakeIterations = fakeIterations;
    }

    /** Random 18-octet nonces in base64 (printable, never a comma: RFC 5802 §7 "nonce"). */
    static Supplier<String> randomNonces(SecureRandom random) {
        return () -> {
            byte[] n = new byte[18];
            random.nextBytes(n);
            return Base64.getEncoder().encodeToString(n);
        };
    }

    @Override
    public String name() {
        return "SCRAM-SHA-256";
    }

    @Override
    public boolean plaintext() {
        return false;
    }

    @Override
    public Exchange start(SaslContext context, Credentials credentials) {
        return new ServerExchange(credentials);
    }

    private final class ServerExchange implements Exchange {
        private final Credentials credentials;
        private String gs2Header;
        private String clientFirstBare;
        private String serverFirst;
        private String nonce;
        private String user;
        private Optional<String> authzid = Optional.empty();
        private ScramCredential credential;
        private boolean known;

        ServerExchange(Credentials credentials) {
            this.credentials = credentials;
        }

        @Override
        public MechanismStep start(Optional<byte[]> initialResponse) {
            return initialResponse.isPresent() ? respond(initialResponse.get()) : new MechanismStep.Challenge(new byte[0]);
        }

        @Override
        public MechanismStep respond(byte[] response) {
            if (response.length > MAX_MESSAGE) {
                return malformed();
            }
            Optional<String> text = Mechanism.utf8(response, 0, response.length);
            if (text.isEmpty()) {
                return malformed();
            }
            return serverFirst == null ? clientFirst(text.get()) : clientFinal(text.get());
        }

        /** RFC 5802 §7: gs2-header client-first-message-bare. */
        private MechanismStep clientFirst(String m) {
            // gs2-cbind-flag: "n" (no channel binding) or "y" (client could, thinks we cannot);
            // "p=" asks for binding we never advertised (RFC 5802 §6)
            if (!(m.startsWith("n,") || m.startsWith("y,"))) {
                return malformed();
            }
            int end = m.indexOf(',', 2);
            if (end < 0) {
                return malformed();
            }
            String a = m.substring(2, end);
            if (!a.isEmpty()) {
                if (!a.startsWith("a=")) {
                    return malformed();
                }
                Optional<String> z = saslName(a.substring(2));
                if (z.isEmpty()) {
                    return malformed();
                }
                authzid = z;
            }
            gs2Header = m.substring(0, end + 1);
            clientFirstBare = m.substring(end + 1);
            String[] attrs = clientFirstBare.split(",", -1);
            // RFC 5802 §5.1: "m" is reserved and MUST fail; the order is n=, r=, then extensions
            if (attrs.length < 2 || !attrs[0].startsWith("n=") || !attrs[1].startsWith("r=")) {
                return malformed();
            }
            Optional<String> name = saslName(attrs[0].substring(2));
            String clientNonce = attrs[1].substring(2);
            if (name.isEmpty() || name.get().isEmpty() || !printable(clientNonce)) {
                return malformed();
            }
            user = name.get();
            try {
                Optional<ScramCredential> stored = credentials.scram(user, HASH);
                known = stored.isPresent();
                credential = stored.orElseGet(() -> fake(user));
            } catch (Credentials.Unavailable e) {
                return new MechanismStep.Failed(FailureReason.TEMPORARY);
            }
            nonce = clientNonce + nonces.get();
            serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(credential.salt()) + ",i="
                    + credential.iterations();
            return new MechanismStep.Challenge(serverFirst.getBytes(StandardCharsets.UTF_8));
        }

        /** RFC 5802 §7: c=channel-binding,r=nonce[,extensions],p=proof. */
        private MechanismStep clientFinal(String m) {
            int p = m.lastIndexOf(",p=");
            if (p < 0 || !m.startsWith("c=")) {
                return malformed();
            }
            String withoutProof = m.substring(0, p);
            String[] attrs = withoutProof.split(",", -1);
            if (attrs.length < 2 || !attrs[1].startsWith("r=")) {
                return malformed();
            }
            String expectedBinding = Base64.getEncoder().encodeToString(gs2Header.getBytes(StandardCharsets.UTF_8));
            byte[] proof;
            try {
                proof = Base64.getDecoder().decode(m.substring(p + 3));
            } catch (IllegalArgumentException e) {
                return malformed();
            }
            if (!attrs[0].substring(2).equals(expectedBinding) || !attrs[1].substring(2).equals(nonce)) {
                return malformed();
            }
            String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
            byte[] storedKey = credential.storedKey();
            byte[] clientSignature = hmac(storedKey, authMessage);
            if (proof.length != clientSignature.length) {
                return checked(AuthResult.failure(AuthResult.Outcome.INVALID_CREDENTIALS), Optional.empty());
            }
            byte[] clientKey = new byte[proof.length];
            for (int i = 0; i < proof.length; i++) {
                clientKey[i] = (byte) (proof[i] ^ clientSignature[i]);
            }
            boolean ok = MessageDigest.isEqual(storedKey, sha256(clientKey)) && known;
            if (!ok) {
                return checked(AuthResult.failure(AuthResult.Outcome.INVALID_CREDENTIALS), Optional.empty());
            }
            Optional<Principal> principal;
            try {
                principal = credentials.findUser(user);
            } catch (Credentials.Unavailable e) {
                return new MechanismStep.Failed(FailureReason.TEMPORARY);
            }
            if (principal.isEmpty()) {
                return checked(AuthResult.failure(AuthResult.Outcome.INVALID_CREDENTIALS), Optional.empty());
            }
            String serverFinal = "v=" + Base64.getEncoder().encodeToString(hmac(credential.serverKey(), authMessage));
            return checked(AuthResult.success(principal.get()), Optional.of(serverFinal.getBytes(StandardCharsets.US_ASCII)));
        }

        private MechanismStep checked(AuthResult result, Optional<byte[]> serverFinal) {
            return new MechanismStep.Checked(result, user, authzid, serverFinal);
        }

        private MechanismStep malformed() {
            return new MechanismStep.Failed(FailureReason.MALFORMED);
        }
    }

    /** A stable salt per unknown name and random keys that no proof matches. */
    private ScramCredential fake(String user) {
        byte[] salt = Arrays.copyOf(hmac(fakeSaltKey, user), 16);
        byte[] junk = new byte[32];
        new SecureRandom().nextBytes(junk);
        return new ScramCredential(HASH, salt, fakeIterations, junk, junk);
    }

    /** RFC 5802 §5.1 saslname: "=2C" is a comma, "=3D" an equals sign, any other "=" is an error. */
    static Optional<String> saslName(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ',') {
                return Optional.empty();
            }
            if (c == '=') {
                if (s.startsWith("=2C", i)) {
                    sb.append(',');
                } else if (s.startsWith("=3D", i)) {
                    sb.append('=');
                } else {
                    return Optional.empty();
                }
                i += 2;
            } else {
                sb.append(c);
            }
        }
        return Optional.of(sb.toString());
    }

    private static boolean printable(String nonce) {
        if (nonce.isEmpty()) {
            return false;
        }
        for (int i = 0; i < nonce.length(); i++) {
            char c = nonce.charAt(i);
            if (c < 0x21 || c > 0x7e || c == ',') {
                return false;
            }
        }
        return true;
    }

    private static byte[] hmac(byte[] key, String text) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from the JDK", e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance(HASH).digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }
}
