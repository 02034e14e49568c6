package dev.postwerk.api.filter;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An SMTP reply a filter wants the client to see: code (RFC 5321 §4.2), enhanced status code
 * (RFC 3463) and text.
 *
 * @param code 4xx or 5xx
 * @param status enhanced status code whose class matches the code, e.g. {@code 5.7.1}
 * @param text human-readable text, one line
 */
public record Reply(int code, String status, String text) {

    private static final Pattern STATUS = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");

    public Reply {
        if (code < 400 || code > 599) {
            throw new IllegalArgumentException("a filter reply is 4xx or 5xx: " + code);
        }
        Objects.requireNonNull(status, "status");
        if (!STATUS.matcher(status).matches() || status.charAt(0) != Character.forDigit(code / 100, 10)) {
            throw new IllegalArgumentException("enhanced status " + status + " does not match code " + code);
        }
        Objects.requireNonNull(text, "text");
        if (text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("reply text must be one line");
        }
    }
}
