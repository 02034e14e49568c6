package dev.postwerk.api.mail;

/**
 * An address or path that does not follow RFC 5321 §4.1.2 (with the RFC 6531 extensions). The
 * message says what is wrong in words a client can be shown (SMTP answers it with 501 or 553).
 */
public class InvalidAddressException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidAddressException(String message) {
        super(message);
    }
}
