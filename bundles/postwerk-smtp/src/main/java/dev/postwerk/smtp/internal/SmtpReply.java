package dev.postwerk.smtp.internal;

import java.util.List;

/**
 * Every reply the server sends, from one place: code, enhanced status code (RFC 3463; sent on
 * every reply, RFC 2034) and text.
 */
record SmtpReply(int code, String status, String text) {

    // 2xx
    static final SmtpReply OK = new SmtpReply(250, "2.0.0", "Ok");
    static final SmtpReply SENDER_OK = new SmtpReply(250, "2.1.0", "Sender ok");
    static final SmtpReply RECIPIENT_OK = new SmtpReply(250, "2.1.5", "Recipient ok");
    static final SmtpReply BYE = new SmtpReply(221, "2.0.0", "Bye");
    static final SmtpReply AUTH_OK = new SmtpReply(235, "2.7.0", "Authentication successful");
    static final SmtpReply VRFY_CANNOT = new SmtpReply(252, "2.5.0",
            "Cannot VRFY user, but will accept message and attempt delivery");
    static final SmtpReply START_TLS = new SmtpReply(220, "2.0.0", "Ready to start TLS");
    static final SmtpReply HELP = new SmtpReply(214, "2.0.0",
            "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH ETRN");

    // 4xx
    static final SmtpReply UNAVAILABLE = new SmtpReply(451, "4.3.0", "Mail system temporarily unavailable, try again later");
    static final SmtpReply TOO_MANY_RECIPIENTS = new SmtpReply(452, "4.5.3", "Too many recipients");
    static final SmtpReply AUTH_TEMPORARY = new SmtpReply(454, "4.7.0", "Temporary authentication failure");

    // 5xx
    static final SmtpReply UNRECOGNIZED = new SmtpReply(500, "5.5.2", "Command unrecognized");
    static final SmtpReply LINE_TOO_LONG = new SmtpReply(500, "5.5.2", "Line too long");
    static final SmtpReply BARE_LINE_END_COMMAND = new SmtpReply(500, "5.5.2", "Bare CR or LF in command line");
    static final SmtpReply NOT_IMPLEMENTED = new SmtpReply(502, "5.5.1", "Command not implemented");
    static final SmtpReply SEND_HELO_FIRST = new SmtpReply(503, "5.5.1", "Send EHLO or HELO first");
    static final SmtpReply NESTED_MAIL = new SmtpReply(503, "5.5.1", "Nested MAIL command");
    static final SmtpReply NEED_MAIL = new SmtpReply(503, "5.5.1", "Need MAIL command first");
    static final SmtpReply NEED_RCPT = new SmtpReply(503, "5.5.1", "Need RCPT command first");
    static final SmtpReply NO_VALID_RECIPIENTS = new SmtpReply(554, "5.5.1", "No valid recipients");
    static final SmtpReply BINARYMIME_NEEDS_BDAT = new SmtpReply(503, "5.5.1", "BINARYMIME requires BDAT (RFC 3030)");
    static final SmtpReply DATA_AFTER_BDAT = new SmtpReply(503, "5.5.1", "DATA not allowed after BDAT");
    static final SmtpReply ALREADY_AUTHENTICATED = new SmtpReply(503, "5.5.1", "Already authenticated");
    static final SmtpReply AUTH_IN_TRANSACTION = new SmtpReply(503, "5.5.1", "AUTH not allowed during a mail transaction");
    static final SmtpReply TLS_ACTIVE = new SmtpReply(503, "5.5.1", "TLS already active");
    static final SmtpReply NO_PARAMETERS = new SmtpReply(501, "5.5.4", "No parameters allowed");
    static final SmtpReply AUTH_CANCELLED = new SmtpReply(501, "5.0.0", "Authentication cancelled");
    static final SmtpReply BAD_BASE64 = new SmtpReply(501, "5.5.2", "Cannot decode base64");
    static final SmtpReply AUTH_MALFORMED = new SmtpReply(501, "5.5.2", "Malformed authentication response");
    static final SmtpReply UNKNOWN_MECHANISM = new SmtpReply(504, "5.5.4", "Unrecognized authentication mechanism");
    static final SmtpReply AUTH_FAILED = new SmtpReply(535, "5.7.8", "Authentication credentials invalid");
    static final SmtpReply AUTH_REQUIRED = new SmtpReply(530, "5.7.0", "Authentication required");
    static final SmtpReply ENCRYPTION_REQUIRED = new SmtpReply(538, "5.7.11",
            "Encryption required for requested authentication mechanism");
    static final SmtpReply TOO_BIG = new SmtpReply(552, "5.3.4", "Message size exceeds fixed maximum message size");
    static final SmtpReply BARE_LINE_END_DATA = new SmtpReply(550, "5.5.2",
            "Message contains a bare CR or LF (RFC 5321 §2.3.8)");
    static final SmtpReply LOOP = new SmtpReply(554, "5.4.6", "Too many Received: headers, mail loop?");
    static final SmtpReply NEEDS_SMTPUTF8 = new SmtpReply(553, "5.6.7", "Address requires SMTPUTF8");
    static final SmtpReply UNSUPPORTED_PARAMETER = new SmtpReply(555, "5.5.4", "Unsupported parameter");

    /** The reply on the wire, one line without CRLF. */
    String line() {
        return code + " " + status + " " + text;
    }

    /** A multi-line reply (RFC 5321 §4.2.1): every line but the last has a hyphen after the code. */
    static String multiline(int code, List<String> lines) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            sb.append(code).append(i == lines.size() - 1 ? ' ' : '-').append(lines.get(i)).append("\r\n");
        }
        return sb.toString();
    }

    static SmtpReply of(int code, String status, String text) {
        return new SmtpReply(code, status, text);
    }

    boolean isPermanentError() {
        return code >= 500;
    }
}
