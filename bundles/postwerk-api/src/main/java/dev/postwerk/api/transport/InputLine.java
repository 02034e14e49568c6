package dev.postwerk.api.transport;

import java.nio.charset.StandardCharsets;

/**
 * One line of protocol input, without its line end. Lines end with CRLF; a line that ended with
 * a bare LF or contains a bare CR is flagged, never silently accepted as a line end.
 */
public final class InputLine {
    private final byte[] bytes;
    private final boolean bareLineEnd;

    public InputLine(byte[] bytes, boolean bareLineEnd) {
        this.bytes = bytes.clone();
        this.bareLineEnd = bareLineEnd;
    }

    /** The line's octets, without the line end. */
    public byte[] bytes() {
        return bytes.clone();
    }

    public int length() {
        return bytes.length;
    }

    /** The line decoded as UTF-8 (ASCII is a subset); malformed octets become U+FFFD. */
    public String text() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** True when the line ended with a bare LF or contains a bare CR. */
    public boolean hasBareLineEnd() {
        return bareLineEnd;
    }

    @Override
    public String toString() {
        return text() + (bareLineEnd ? " [bare line end]" : "");
    }
}
