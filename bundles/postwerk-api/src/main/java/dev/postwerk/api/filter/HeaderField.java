package dev.postwerk.api.filter;

import java.util.Objects;

/**
 * A header field a filter adds ({@code X-Spam-Score: 7.1}). The value may be folded with CRLF
 * followed by white space; it must not contain bare line ends.
 */
public record HeaderField(String name, String value) {
    public HeaderField {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (name.isEmpty() || !name.chars().allMatch(c -> c > 32 && c < 127 && c != ':')) {
            throw new IllegalArgumentException("invalid header field name: " + name);
        }
        String unfolded = value.replace("\r\n ", " ").replace("\r\n\t", "\t");
        if (unfolded.indexOf('\r') >= 0 || unfolded.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("header value has a line end not followed by white space");
        }
    }
}
