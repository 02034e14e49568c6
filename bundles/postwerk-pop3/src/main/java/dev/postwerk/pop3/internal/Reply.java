package dev.postwerk.pop3.internal;

import java.util.Locale;

/**
 * Every status line the server sends, in one place. Response codes in brackets are RFC 2449 §8
 * ({@code [IN-USE]}, {@code [LOGIN-DELAY]}), RFC 3206 ({@code [SYS/TEMP]}, {@code [SYS/PERM]},
 * {@code [AUTH]}); a client that announced nothing still reads them as plain text. Error texts
 * never echo client input back.
 */
enum Reply {
    GREETING("+OK Postwerk POP3 server ready"),
    CAPABILITIES("+OK Capability list follows"),
    SEND_PASS("+OK Send your password"),
    LOGGED_IN("+OK Logged in, %d messages (%d octets)"),
    STLS_GO_AHEAD("+OK Begin TLS negotiation"),
    STAT("+OK %d %d"),
    SCAN_LISTING("+OK %d %d"),
    SCAN_LISTING_FOLLOWS("+OK %d messages (%d octets)"),
    UNIQUE_ID_LISTING("+OK %d %s"),
    UNIQUE_ID_LISTING_FOLLOWS("+OK Unique-ID listing follows"),
    MESSAGE_FOLLOWS("+OK %d octets"),
    TOP_FOLLOWS("+OK Top of message follows"),
    DELETED("+OK Message %d deleted"),
    RESET("+OK Maildrop has %d messages (%d octets)"),
    NOOP("+OK"),
    MECHANISMS_FOLLOW("+OK Mechanisms follow"),
    /** RFC 5034 §4: "+" SP base64 challenge; an empty challenge is "+ ". */
    SASL_CHALLENGE("+ %s"),
    BYE("+OK Postwerk POP3 server signing off"),
    BYE_UPDATED("+OK Signing off, %d messages deleted"),

    UNKNOWN_COMMAND("-ERR Unknown command"),
    WRONG_STATE("-ERR Command not valid in this state"),
    SYNTAX("-ERR Syntax error: %s"),
    NO_SUCH_MESSAGE("-ERR No such message"),
    MESSAGE_DELETED("-ERR Message %d is deleted"),
    MESSAGE_VANISHED("-ERR Message %d was removed by another session"),
    LINE_TOO_LONG("-ERR Line too long"),
    BARE_LINE_END("-ERR Lines must end with CRLF"),
    TOO_MANY_ERRORS("-ERR Too many errors, closing connection"),
    /** RFC 1939 §3: the autologout timer; nothing is deleted. */
    IDLE_TIMEOUT("-ERR Autologout, idle for too long"),
    SHUTDOWN("-ERR [SYS/TEMP] Server shutting down, try again later"),
    REFUSED_TOO_MANY("-ERR [SYS/TEMP] Too many connections, try again later"),
    REFUSED_TOO_MANY_FROM_CLIENT("-ERR [SYS/TEMP] Too many connections from your address, try again later"),
    TLS_UNAVAILABLE("-ERR TLS not available"),
    APOP_UNAVAILABLE("-ERR APOP not supported, use AUTH or USER and PASS"),
    PLAINTEXT_REFUSED("-ERR [AUTH] Plaintext authentication disallowed without TLS"),
    USER_FIRST("-ERR Send USER first"),
    AUTH_FAILED("-ERR [AUTH] Authentication failed"),
    AUTHORIZATION_DENIED("-ERR [AUTH] Not authorized to act as that user"),
    AUTH_MALFORMED("-ERR Malformed authentication data"),
    AUTH_UNSUPPORTED("-ERR Unsupported authentication mechanism"),
    AUTH_BLOCKED("-ERR [SYS/TEMP] Too many failed logins from your address, try again later"),
    AUTH_UNAVAILABLE("-ERR [SYS/TEMP] Authentication unavailable, try again later"),
    AUTH_CANCELLED("-ERR Authentication cancelled"),
    BAD_BASE64("-ERR Invalid base64 data"),
    STORE_UNAVAILABLE("-ERR [SYS/TEMP] Mail store unavailable, try again later"),
    MAILDROP_BROKEN("-ERR [SYS/PERM] Maildrop cannot be opened, contact your administrator"),
    IN_USE("-ERR [IN-USE] Maildrop already locked by another POP3 session"),
    LOGIN_DELAY("-ERR [LOGIN-DELAY] Logged in too recently, wait %d seconds between logins"),
    /** RFC 1939 §6: the UPDATE state could not remove every message marked. */
    UPDATE_FAILED("-ERR [SYS/TEMP] Some deleted messages not removed"),
    READ_FAILED("-ERR [SYS/TEMP] Cannot read message %d now, try again later");

    private final String format;

    Reply(String format) {
        this.format = format;
    }

    /** The line, without CRLF. */
    String line(Object... args) {
        return args.length == 0 ? format : String.format(Locale.ROOT, format, args);
    }

    boolean isError() {
        return format.startsWith("-ERR");
    }
}
