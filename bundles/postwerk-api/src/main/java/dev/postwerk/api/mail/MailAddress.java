package dev.postwerk.api.mail;

import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;
import java.util.Optional;

/**
 * A mailbox address {@code local-part@domain} as RFC 5321 §4.1.2 defines it, with the UTF-8
 * extensions of RFC 6531. The local part is kept as the client sent it, unquoted (case and
 * all: only the receiving directory decides whether case matters); the domain is kept
 * lower-cased, in Unicode (U-labels, NFC) for names and as written for address literals.
 * Two addresses are equal when their local parts are equal and their domains are.
 */
public final class MailAddress {

    /** RFC 5321 §4.5.3.1.1. */
    public static final int MAX_LOCAL_PART_OCTETS = 64;
    /** RFC 5321 §4.5.3.1.2. */
    public static final int MAX_DOMAIN_OCTETS = 255;
    /** RFC 5321 §4.5.3.1.3, including the angle brackets. */
    public static final int MAX_PATH_OCTETS = 256;

    private final String localPart;
    private final String domain;

    private MailAddress(String localPart, String domain) {
        this.localPart = localPart;
        this.domain = domain;
    }

    /**
     * Parses a bare mailbox, {@code local-part@domain} (no angle brackets).
     *
     * @throws InvalidAddressException with a reason a client can be shown
     */
    public static MailAddress parse(String mailbox) {
        Parser p = new Parser(mailbox);
        MailAddress address = p.mailbox();
        p.expectEnd();
        return address;
    }

    /** Builds an address from an unquoted local part and a domain, checking both. */
    public static MailAddress of(String localPart, String domain) {
        if (localPart == null || localPart.isEmpty()) {
            throw new InvalidAddressException("empty local part");
        }
        for (int i = 0; i < localPart.length(); i++) {
            char c = localPart.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new InvalidAddressException("control character in local part");
            }
        }
        checkLocalPartLength(localPart);
        Parser p = new Parser(domain == null ? "" : domain);
        String d = p.domainOrLiteral();
        p.expectEnd();
        return new MailAddress(localPart, d);
    }

    /**
     * Parses an SMTP path, {@code <mailbox>} or the null path {@code <>} (returned as empty). A
     * source route ({@code <@a,@b:user@c>}) is accepted and ignored as RFC 5321 §4.1.1.3 asks:
     * the result is {@code user@c}.
     */
    public static Optional<MailAddress> parsePath(String path) {
        if (path == null) {
            throw new InvalidAddressException("missing path");
        }
        if (path.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_OCTETS) {
            throw new InvalidAddressException("path longer than " + MAX_PATH_OCTETS + " octets");
        }
        Parser p = new Parser(path);
        p.expect('<');
        if (p.peek() == '>') {
            p.next();
            p.expectEnd();
            return Optional.empty();
        }
        if (p.peek() == '@') {
            do {
                p.expect('@');
                p.domainOrLiteral();
            } while (p.accept(','));
            p.expect(':');
        }
        MailAddress address = p.mailbox();
        p.expect('>');
        p.expectEnd();
        return Optional.of(address);
    }

    /**
     * The length in chars of the path that starts {@code line} at {@code from} (from its
     * {@code <} through the matching {@code >}, skipping quoted strings), or -1 when there is no
     * complete path. SMTP uses it to split {@code MAIL FROM:<path> PARAMS}.
     */
    public static int pathLength(CharSequence line, int from) {
        if (from >= line.length() || line.charAt(from) != '<') {
            return -1;
        }
        boolean quoted = false;
        for (int i = from + 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == '>') {
                return i - from + 1;
            }
        }
        return -1;
    }

    /** The local part, unquoted: {@code "john doe"@x} gives {@code john doe}. */
    public String localPart() {
        return localPart;
    }

    /** The domain, lower case, Unicode form; an address literal keeps its brackets. */
    public String domain() {
        return domain;
    }

    /** The domain in ASCII (A-labels, RFC 5890), as DNS and non-SMTPUTF8 peers need it. */
    public String asciiDomain() {
        if (domain.startsWith("[")) {
            return domain;
        }
        return IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
    }

    /** True when the domain is an address literal such as {@code [192.0.2.1]}. */
    public boolean isAddressLiteral() {
        return domain.startsWith("[");
    }

    /** True when the address needs SMTPUTF8 (RFC 6531): any non-ASCII character. */
    public boolean isInternational() {
        return !isAscii(localPart) || !isAscii(domain);
    }

    /** The local part as it must be written on the wire: quoted when it is not a dot-string. */
    public String quotedLocalPart() {
        if (isDotString(localPart)) {
            return localPart;
        }
        StringBuilder sb = new StringBuilder(localPart.length() + 2).append('"');
        for (int i = 0; i < localPart.length(); i++) {
            char c = localPart.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.append('"').toString();
    }

    /** The address as written in a path, without brackets: {@code local@domain}. */
    @Override
    public String toString() {
        return quotedLocalPart() + "@" + domain;
    }

    /** The address in angle brackets, as in {@code MAIL FROM:<...>}. */
    public String toPath() {
        return "<" + this + ">";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MailAddress other && localPart.equals(other.localPart) && domain.equals(other.domain);
    }

    @Override
    public int hashCode() {
        return localPart.hashCode() * 31 + domain.hashCode();
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7f) {
                return false;
            }
        }
        return true;
    }

    static boolean isAtext(int c) {
        if (c > 0x7f) {
            return true; // RFC 6531 §3.3: atext =/ UTF8-non-ascii
        }
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0;
    }

    private static boolean isDotString(String s) {
        if (s.isEmpty() || s.charAt(0) == '.' || s.charAt(s.length() - 1) == '.' || s.contains("..")) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '.' && !isAtext(c)) {
                return false;
            }
        }
        return true;
    }

    private static void checkLocalPartLength(String localPart) {
        if (localPart.getBytes(StandardCharsets.UTF_8).length > MAX_LOCAL_PART_OCTETS) {
            throw new InvalidAddressException("local part longer than " + MAX_LOCAL_PART_OCTETS + " octets");
        }
    }

    /** A recursive-descent parser over the RFC 5321 §4.1.2 grammar. */
    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        int peek() {
            return pos < s.length() ? s.codePointAt(pos) : -1;
        }

        int next() {
            int c = peek();
            if (c >= 0) {
                pos += Character.charCount(c);
            }
            return c;
        }

        boolean accept(char c) {
            if (peek() == c) {
                pos++;
                return true;
            }
            return false;
        }

        void expect(char c) {
            if (!accept(c)) {
                throw new InvalidAddressException(pos >= s.length()
                        ? "unexpected end of address, expected '" + c + "'"
                        : "unexpected '" + new String(Character.toChars(peek())) + "' at position " + (pos + 1) + ", expected '" + c + "'");
            }
        }

        void expectEnd() {
            if (pos != s.length()) {
                throw new InvalidAddressException("unexpected '" + new String(Character.toChars(peek()))
                        + "' at position " + (pos + 1));
            }
        }

        MailAddress mailbox() {
            String local = peek() == '"' ? quotedString() : dotString();
            checkLocalPartLength(local);
            expect('@');
            return new MailAddress(local, domainOrLiteral());
        }

        private String dotString() {
            int start = pos;
            atom();
            while (accept('.')) {
                atom();
            }
            return Normalizer.normalize(s.substring(start, pos), Normalizer.Form.NFC);
        }

        private void atom() {
            int start = pos;
            while (peek() >= 0 && isAtext(peek())) {
                next();
            }
            if (pos == start) {
                throw new InvalidAddressException(peek() < 0 ? "empty local part or atom"
                        : "character '" + new String(Character.toChars(peek())) + "' not allowed in local part"
                                + " (quote it)");
            }
        }

        private String quotedString() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (true) {
                int c = next();
                if (c < 0) {
                    throw new InvalidAddressException("unterminated quoted local part");
                }
                if (c == '"') {
                    break;
                }
                if (c == '\\') {
                    int q = next();
                    if (q < 32 || q == 127) {
                        throw new InvalidAddressException("bad quoted-pair in local part");
                    }
                    sb.appendCodePoint(q);
                } else if (c < 32 || c == 127) {
                    throw new InvalidAddressException("control character in quoted local part");
                } else {
                    sb.appendCodePoint(c);
                }
            }
            if (sb.length() == 0) {
                // RFC 5321 allows "" but no mailbox is named so; refusing keeps lookups unambiguous.
                throw new InvalidAddressException("empty local part");
            }
            return Normalizer.normalize(sb.toString(), Normalizer.Form.NFC);
        }

        String domainOrLiteral() {
            return peek() == '[' ? addressLiteral() : domain();
        }

        private String domain() {
            int start = pos;
            subDomain();
            while (accept('.')) {
                subDomain();
            }
            String d = Normalizer.normalize(s.substring(start, pos), Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
            if (d.getBytes(StandardCharsets.UTF_8).length > MAX_DOMAIN_OCTETS) {
                throw new InvalidAddressException("domain longer than " + MAX_DOMAIN_OCTETS + " octets");
            }
            if (!isAscii(d)) {
                try {
                    IDN.toASCII(d, IDN.ALLOW_UNASSIGNED);
                } catch (IllegalArgumentException e) {
                    throw new InvalidAddressException("invalid internationalised domain: " + e.getMessage());
                }
            }
            return d;
        }

        private void subDomain() {
            int start = pos;
            int last = -1;
            while (true) {
                int c = peek();
                boolean letDig = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c > 0x7f;
                if (letDig || (c == '-' && pos > start)) {
                    last = c;
                    next();
                } else {
                    break;
                }
            }
            if (pos == start) {
                throw new InvalidAddressException(peek() < 0 ? "missing domain"
                        : "character '" + new String(Character.toChars(peek())) + "' not allowed in domain");
            }
            if (last == '-') {
                throw new InvalidAddressException("domain label ends with '-'");
            }
            if (pos - start > 63) {
                throw new InvalidAddressException("domain label longer than 63 characters");
            }
        }

        private String addressLiteral() {
            int start = pos;
            expect('[');
            int close = s.indexOf(']', pos);
            if (close < 0) {
                throw new InvalidAddressException("unterminated address literal");
            }
            String body = s.substring(pos, close);
            pos = close + 1;
            if (body.regionMatches(true, 0, "IPv6:", 0, 5)) {
                String v6 = body.substring(5);
                if (v6.isEmpty() || !v6.matches("[0-9A-Fa-f:.]+") || !v6.contains(":")) {
                    throw new InvalidAddressException("invalid IPv6 address literal");
                }
                return "[IPv6:" + v6.toLowerCase(Locale.ROOT) + "]";
            }
            if (!body.matches("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}")) {
                throw new InvalidAddressException("invalid address literal " + s.substring(start, pos));
            }
            return "[" + body + "]";
        }
    }
}
