package dev.postwerk.mime.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import dev.postwerk.api.mail.ContentDisposition;
import dev.postwerk.api.mail.MimeParameter;

/**
 * Parsers of the structured MIME header fields (RFC 2045 §5.1 Content-Type, RFC 2183
 * Content-Disposition, RFC 2045 §6.1 Content-Transfer-Encoding, RFC 3282 Content-Language) that
 * keep values raw, as IMAP sends them: case as written, quotes removed, comments dropped, encoded
 * words and RFC 2231 encodings not decoded. Lenient: an unquoted value may hold characters RFC
 * 2045 wants quoted ({@code boundary=----=_Part_1} is common), junk is skipped up to the next
 * {@code ;}, and a field that makes no sense is reported as absent so that the default applies.
 */
final class MimeFields extends FieldScanner {

    /** A {@code type/subtype} with its parameters. */
    record MediaType(String type, String subtype, List<MimeParameter> parameters) {
    }

    private MimeFields(String s) {
        super(s);
    }

    /** Content-Type; empty when it is not {@code token/token} (RFC 2045 §5.2: then the default applies). */
    static Optional<MediaType> mediaType(String value) {
        MimeFields p = new MimeFields(value);
        p.skipCfws();
        String type = p.token();
        p.skipCfws();
        if (type.isEmpty() || !p.at('/')) {
            return Optional.empty();
        }
        p.i++;
        p.skipCfws();
        String subtype = p.token();
        if (subtype.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new MediaType(type, subtype, p.parameters()));
    }

    /** Content-Disposition; empty when it names no disposition type. */
    static Optional<ContentDisposition> disposition(String value) {
        MimeFields p = new MimeFields(value);
        p.skipCfws();
        String type = p.token();
        if (type.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ContentDisposition(type, p.parameters()));
    }

    /** Content-Transfer-Encoding's mechanism; empty when there is none. */
    static Optional<String> encoding(String value) {
        MimeFields p = new MimeFields(value);
        p.skipCfws();
        String token = p.token();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }

    /** Content-Language: its tags in order (RFC 3282 §2), comments dropped. */
    static List<String> languages(String value) {
        MimeFields p = new MimeFields(value);
        List<String> tags = new ArrayList<>();
        while (true) {
            p.skipCfws();
            if (p.atEnd()) {
                return tags;
            }
            String tag = p.token();
            if (!tag.isEmpty()) {
                tags.add(tag);
            } else {
                p.i++; // a separator or junk
            }
        }
    }

    // ------------------------------------------------------------------ parameters

    /** {@code *(";" attribute "=" value)} up to the end, then RFC 2231 continuations joined. */
    private List<MimeParameter> parameters() {
        List<MimeParameter> raw = new ArrayList<>();
        while (true) {
            skipCfws();
            if (atEnd()) {
                break;
            }
            if (at(';')) {
                i++;
                continue;
            }
            String name = token();
            skipCfws();
            if (name.isEmpty() || !at('=')) {
                skipToSemicolon(); // junk, or an attribute without value
                continue;
            }
            i++;
            skipCfws();
            String value = at('"') ? quoted() : unquotedValue();
            raw.add(new MimeParameter(name, value));
            skipCfws();
            if (!atEnd() && !at(';')) {
                skipToSemicolon();
            }
        }
        return joinContinuations(raw);
    }

    private String unquotedValue() {
        int from = i;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == ';' || c == ' ' || c == '\t' || c == '(' || c == '"' || c == '\r' || c == '\n') {
                break;
            }
            i++;
        }
        return s.substring(from, i);
    }

    private void skipToSemicolon() {
        while (!atEnd() && !at(';')) {
            if (at('"')) {
                quoted();
            } else if (at('(')) {
                comment();
            } else {
                i++;
            }
        }
    }

    /**
     * RFC 2231 §3: {@code name*0}, {@code name*1*}, ... become one parameter at the place of the
     * first section. When any section is extended the result is {@code name*} with the value in
     * extended form ({@code charset'language'percent-encoded}), plain sections percent-encoded
     * into it, as Dovecot does; otherwise {@code name} with the plain sections concatenated.
     */
    static List<MimeParameter> joinContinuations(List<MimeParameter> raw) {
        boolean any = false;
        for (MimeParameter p : raw) {
            if (section(p.name()) >= 0) {
                any = true;
                break;
            }
        }
        if (!any) {
            return raw;
        }
        Map<String, TreeMap<Integer, MimeParameter>> groups = new LinkedHashMap<>();
        List<Object> order = new ArrayList<>(); // a MimeParameter, or the base name of a group
        for (MimeParameter p : raw) {
            int section = section(p.name());
            if (section < 0) {
                order.add(p);
                continue;
            }
            String base = baseName(p.name());
            String key = base.toLowerCase(java.util.Locale.ROOT);
            TreeMap<Integer, MimeParameter> g = groups.get(key);
            if (g == null) {
                g = new TreeMap<>();
                groups.put(key, g);
                order.add(key);
            }
            g.putIfAbsent(section, p);
        }
        List<MimeParameter> joined = new ArrayList<>();
        for (Object o : order) {
            if (o instanceof MimeParameter p) {
                joined.add(p);
                continue;
            }
            TreeMap<Integer, MimeParameter> g = groups.get(o);
            String base = baseName(g.firstEntry().getValue().name());
            boolean extended = g.values().stream().anyMatch(p -> p.name().endsWith("*"));
            StringBuilder value = new StringBuilder();
            boolean first = true;
            for (MimeParameter p : g.values()) {
                boolean sectionExtended = p.name().endsWith("*");
                if (!extended || sectionExtended) {
                    value.append(p.value());
                } else {
                    if (first) {
                        value.append("''"); // no charset, no language (RFC 2231 §4)
                    }
                    percentEncode(p.value(), value);
                }
                first = false;
            }
            joined.add(new MimeParameter(extended ? base + "*" : base, value.toString()));
        }
        return joined;
    }

    /** The section number of {@code name*N} or {@code name*N*}; -1 for other names. */
    private static int section(String name) {
        int end = name.endsWith("*") ? name.length() - 1 : name.length();
        int star = name.lastIndexOf('*', end - 1);
        if (star <= 0 || star == end - 1 || end - star - 1 > 3) {
            return -1;
        }
        int n = 0;
        for (int k = star + 1; k < end; k++) {
            char c = name.charAt(k);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    private static String baseName(String name) {
        int end = name.endsWith("*") ? name.length() - 1 : name.length();
        return name.substring(0, name.lastIndexOf('*', end - 1));
    }

    private static void percentEncode(String plain, StringBuilder out) {
        for (byte b : plain.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c > ' ' && c < 0x7f && "*'%()<>@,;:\\\"/[]?=".indexOf(c) < 0) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
    }

    // ------------------------------------------------------------------ lexical

    /** RFC 2045 token characters; 8-bit (non-ASCII) characters are accepted too. */
    private String token() {
        int from = i;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c <= ' ' || c == 0x7f || "()<>@,;:\\\"/[]?=".indexOf(c) >= 0) {
                break;
            }
            i++;
        }
        return s.substring(from, i);
    }
}
