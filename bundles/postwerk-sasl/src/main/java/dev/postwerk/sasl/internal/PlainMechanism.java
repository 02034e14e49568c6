package dev.postwerk.sasl.internal;

import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

import dev.postwerk.api.sasl.FailureReason;
import dev.postwerk.api.sasl.SaslContext;

/** PLAIN, RFC 4616: one message {@code [authzid] NUL authcid NUL passwd}. */
final class PlainMechanism implements Mechanism {

    /** RFC 4616 §2 asks servers to take at least 255 octets per field; more than this is abuse. */
    private static final int MAX_MESSAGE = 3 * 1024;

    @Override
    public String name() {
        return "PLAIN";
    }

    @Override
    public boolean plaintext() {
        return true;
    }

    @Override
    public Exchange start(SaslContext context, Credentials credentials) {
        return new Exchange() {
            @Override
            public MechanismStep start(Optional<byte[]> initialResponse) {
                // RFC 4616 §2: client-first; without an initial response the server sends an empty challenge
                return initialResponse.isPresent() ? respond(initialResponse.get())
                        : new MechanismStep.Challenge(new byte[0]);
            }

            @Override
            public MechanismStep respond(byte[] message) {
                try {
                    return check(message, credentials);
                } finally {
                    Arrays.fill(message, (byte) 0);
                }
            }
        };
    }

    private static MechanismStep check(byte[] m, Credentials credentials) {
        if (m.length > MAX_MESSAGE) {
            return new MechanismStep.Failed(FailureReason.MALFORMED);
        }
        int first = indexOf(m, 0);
        int second = first < 0 ? -1 : indexOf(m, first + 1);
        if (second < 0 || indexOf(m, second + 1) >= 0) {
            return new MechanismStep.Failed(FailureReason.MALFORMED);
        }
        Optional<String> authzid = Mechanism.utf8(m, 0, first);
        Optional<String> authcid = Mechanism.utf8(m, first + 1, second);
        // RFC 4616 §2: authcid and passwd are non-empty
        if (authzid.isEmpty() || authcid.isEmpty() || authcid.get().isEmpty() || second + 1 == m.length) {
            return new MechanismStep.Failed(FailureReason.MALFORMED);
        }
        Optional<char[]> password = chars(m, second + 1, m.length);
        if (password.isEmpty()) {
            return new MechanismStep.Failed(FailureReason.MALFORMED);
        }
        try {
            return new MechanismStep.Checked(credentials.verifyPassword(authcid.get(), password.get()), authcid.get(),
                    authzid.filter(a -> !a.isEmpty()), Optional.empty());
        } finally {
            Arrays.fill(password.get(), '\0');
        }
    }

    /** The password as chars without an intermediate String, so it can be wiped. */
    static Optional<char[]> chars(byte[] m, int from, int to) {
        if (Mechanism.utf8(m, from, to).isEmpty()) {
            return Optional.empty();
        }
        CharBuffer cb = StandardCharsets.UTF_8.decode(java.nio.ByteBuffer.wrap(m, from, to - from));
        char[] out = new char[cb.remaining()];
        cb.get(out);
        if (cb.hasArray()) {
            Arrays.fill(cb.array(), '\0');
        }
        return Optional.of(out);
    }

    private static int indexOf(byte[] m, int from) {
        for (int i = from; i < m.length; i++) {
            if (m[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
