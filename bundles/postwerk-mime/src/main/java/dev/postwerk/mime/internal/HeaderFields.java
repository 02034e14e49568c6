package dev.postwerk.mime.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * The header fields of one entity that BODYSTRUCTURE and ENVELOPE need, collected while the header
 * streams past: unfolded (RFC 5322 §2.2.3: a line break before white space is removed), the first
 * occurrence of each, at most {@link ParserLimits#maxFieldOctets} octets each. Every other field
 * is skipped without being kept.
 */
final class HeaderFields {

    enum Name {
        CONTENT_TYPE("content-type"), CONTENT_TRANSFER_ENCODING("content-transfer-encoding"),
        CONTENT_ID("content-id"), CONTENT_DESCRIPTION("content-description"), CONTENT_MD5("content-md5"),
        CONTENT_DISPOSITION("content-disposition"), CONTENT_LANGUAGE("content-language"),
        CONTENT_LOCATION("content-location"),
        // ENVELOPE (RFC 3501 §7.4.2), only of a message's header
        DATE("date"), SUBJECT("subject"), FROM("from"), SENDER("sender"), REPLY_TO("reply-to"), TO("to"), CC("cc"),
        BCC("bcc"), IN_REPLY_TO("in-reply-to"), MESSAGE_ID("message-id");

        final String lowerCase;

        Name(String lowerCase) {
            this.lowerCase = lowerCase;
        }

        boolean envelope() {
            return ordinal() >= DATE.ordinal();
        }

        static final int LONGEST = "content-transfer-encoding".length();

        static Name of(byte[] b, int from, int to) {
            int length = to - from;
            if (length < 2 || length > LONGEST) {
                return null;
            }
            for (Name n : VALUES) {
                if (n.lowerCase.length() == length && equalsIgnoreCase(n.lowerCase, b, from)) {
                    return n;
                }
            }
            return null;
        }

        private static boolean equalsIgnoreCase(String lower, byte[] b, int from) {
            for (int i = 0; i < lower.length(); i++) {
                int c = b[from + i];
                if (c >= 'A' && c <= 'Z') {
                    c += 'a' - 'A';
                }
                if (c != lower.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        private static final Name[] VALUES = values();
    }

    private final boolean message;
    private final int maxOctets;
    private final byte[][] values = new byte[Name.VALUES.length][];
    private final int[] lengths = new int[Name.VALUES.length];

    /** @param message whether this is a message's header (ENVELOPE fields are kept), not a part's */
    HeaderFields(boolean message, int maxOctets) {
        this.message = message;
        this.maxOctets = maxOctets;
    }

    /**
     * A line that does not start with white space: a new field. Returns the field to which
     * continuation lines belong, or null when they are to be skipped (a field not needed, a
     * repeated one, or a line that is no field at all, which is skipped as Dovecot does).
     */
    Name start(byte[] line, int length) {
        int colon = -1;
        for (int i = 0; i < length; i++) {
            int c = line[i] & 0xff;
            if (c == ':') {
                colon = i;
                break;
            }
            if (c <= ' ' || c >= 0x7f) {
                // RFC 5322 §3.6.8 field names are printable US-ASCII; white space before the colon
                // is the obsolete syntax of §4.5 and still allowed.
                if (c != ' ' && c != '\t') {
                    return null;
                }
            }
        }
        if (colon <= 0) {
            return null;
        }
        int nameEnd = colon;
        while (nameEnd > 0 && (line[nameEnd - 1] == ' ' || line[nameEnd - 1] == '\t')) {
            nameEnd--;
        }
        for (int i = 0; i < nameEnd; i++) {
            if (line[i] == ' ' || line[i] == '\t') {
                return null; // white space inside a name: not a field
            }
        }
        Name name = Name.of(line, 0, nameEnd);
        if (name == null || (name.envelope() && !message) || values[name.ordinal()] != null) {
            return null;
        }
        values[name.ordinal()] = new byte[Math.min(64, maxOctets)];
        append(name, line, colon + 1, length - colon - 1);
        return name;
    }

    /** Adds a continuation line (white space first) or the first line's value. */
    void append(Name name, byte[] line, int from, int length) {
        int i = name.ordinal();
        int room = maxOctets - lengths[i];
        int n = Math.min(room, length);
        if (n <= 0) {
            return;
        }
        byte[] v = values[i];
        if (lengths[i] + n > v.length) {
            values[i] = v = Arrays.copyOf(v, Math.min(maxOctets, Math.max(lengths[i] + n, v.length * 2)));
        }
        System.arraycopy(line, from, v, lengths[i], n);
        lengths[i] += n;
    }

    void continuation(Name name, byte[] line, int length) {
        append(name, line, 0, length);
    }

    /**
     * The field's value: octets read as UTF-8 (RFC 6532; invalid sequences become U+FFFD), white
     * space at both ends removed. Empty when the field is absent.
     */
    Optional<String> get(Name name) {
        int i = name.ordinal();
        byte[] v = values[i];
        if (v == null) {
            return Optional.empty();
        }
        int from = 0;
        int to = lengths[i];
        while (from < to && isSpace(v[from])) {
            from++;
        }
        while (to > from && isSpace(v[to - 1])) {
            to--;
        }
        return Optional.of(new String(v, from, to - from, StandardCharsets.UTF_8));
    }

    /** The value, or empty when the field is absent or blank. */
    Optional<String> nonBlank(Name name) {
        return get(name).filter(s -> !s.isEmpty());
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }
}
