package dev.postwerk.sasl.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import dev.postwerk.api.sasl.SaslContext;

/** One SASL mechanism, server side. */
interface Mechanism {

    /** The IANA name, upper case. */
    String name();

    /** True when the password crosses the wire as is (PLAIN, LOGIN): refused without TLS by default. */
    boolean plaintext();

    /** A new exchange for one authentication attempt. */
    Exchange start(SaslContext context, Credentials credentials);

    /** Server side of one exchange; {@code respond} is only called after a challenge. */
    interface Exchange {
        MechanismStep start(Optional<byte[]> initialResponse);

        MechanismStep respond(byte[] response);
    }

    /** Strict UTF-8: malformed input is a syntax error, not a replacement character. */
    static Optional<String> utf8(byte[] octets, int from, int to) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(octets, from, to - from))
                    .toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}
