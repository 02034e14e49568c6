package dev.postwerk.api.sasl;

/**
 * Why an authentication failed, with the reply each protocol gives (RFC 4954 §6, RFC 5530,
 * RFC 3206).
 */
public enum FailureReason {
    /** Wrong user, password or proof, never saying which: SMTP 535 5.7.8, IMAP NO [AUTHENTICATIONFAILED], POP3 -ERR [AUTH]. */
    INVALID_CREDENTIALS,
    /** Credentials are right but the authorization identity may not be assumed: SMTP 535 5.7.8, IMAP NO [AUTHORIZATIONFAILED]. */
    AUTHORIZATION_DENIED,
    /** The account may not log in now: SMTP 535 5.7.8, IMAP NO [AUTHENTICATIONFAILED], POP3 -ERR [AUTH]. */
    DISABLED,
    /** The client message does not follow the mechanism's syntax: SMTP 501 5.5.2, IMAP BAD, POP3 -ERR. */
    MALFORMED,
    /** The mechanism is unknown or not offered here: SMTP 504 5.5.4, IMAP NO, POP3 -ERR. */
    UNSUPPORTED_MECHANISM,
    /** A plaintext mechanism without TLS: SMTP 538 5.7.11, IMAP NO [PRIVACYREQUIRED], POP3 -ERR [AUTH]. */
    ENCRYPTION_REQUIRED,
    /** The client's address is refused for a while: SMTP 421 4.7.0 (and close), IMAP NO [UNAVAILABLE], POP3 -ERR [SYS/TEMP]. */
    BLOCKED,
    /** The directory could not check now: SMTP 454 4.7.0, IMAP NO [UNAVAILABLE], POP3 -ERR [SYS/TEMP]. */
    TEMPORARY
}
