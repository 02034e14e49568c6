package dev.postwerk.api.sasl;

/**
 * What the server says after a client message: another challenge, or the end of the exchange.
 */
public sealed interface SaslStep permits SaslStep.Challenge, SaslResult {

    /**
     * A server challenge; the protocol sends it base64-encoded (SMTP {@code 334}, IMAP and POP3
     * {@code +}) and passes the decoded client answer to {@link SaslExchange#respond(byte[])}.
     *
     * @param data the raw challenge; empty for "send your credentials" (RFC 4422 §3.3)
     */
    record Challenge(byte[] data) implements SaslStep {
        public Challenge {
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }
    }
}
