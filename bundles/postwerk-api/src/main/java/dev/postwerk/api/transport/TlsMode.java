package dev.postwerk.api.transport;

/** How a listener uses TLS. Every mode allows TLS 1.2 and 1.3 only, with the JDK's default suites. */
public enum TlsMode {
    /** Plaintext only. */
    NONE,
    /** Plaintext until the protocol's STARTTLS/STLS command (RFC 3207, RFC 2595). */
    STARTTLS,
    /** TLS from the first byte (SMTPS, IMAPS, POP3S; RFC 8314). */
    IMPLICIT
}
