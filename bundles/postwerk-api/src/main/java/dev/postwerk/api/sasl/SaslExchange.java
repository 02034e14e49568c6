package dev.postwerk.api.sasl;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One server-side SASL exchange on one connection; not thread-safe, used by one session at a time.
 * Calls may block for a password hash (tens of milliseconds): run them on the protocol's worker
 * thread, never on a network I/O thread.
 */
@ProviderType
public interface SaslExchange {

    /** The mechanism name, upper case, e.g. {@code SCRAM-SHA-256}. */
    String mechanism();

    /**
     * Starts the exchange. {@code initialResponse} is the decoded initial response of SMTP AUTH,
     * IMAP SASL-IR or POP3 AUTH, where an empty array stands for {@code =} (RFC 4422 §4, RFC 4954 §4).
     */
    SaslStep start(Optional<byte[]> initialResponse);

    /** Continues after a {@link SaslStep.Challenge} with the client's decoded answer. */
    SaslStep respond(byte[] response);

    /** True once a {@link SaslResult} was returned; further calls are illegal. */
    boolean isComplete();
}
