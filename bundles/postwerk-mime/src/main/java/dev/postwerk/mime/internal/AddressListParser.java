package dev.postwerk.mime.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.postwerk.api.mail.EnvelopeAddress;

/**
 * An RFC 5322 §3.4 address list read the way IMAP's ENVELOPE wants it (RFC 3501 §7.4.2): display
 * names unquoted with encoded words left as they are, comments dropped (a comment stands in for a
 * missing display name, {@code user@host (Name)}, as Dovecot does), groups as start and end
 * markers, the obsolete route kept. Never fails: what cannot be read as an address is skipped up
 * to the next comma; a word without {@code @} becomes a mailbox on {@value EnvelopeAddress#MISSING_DOMAIN}.
 */
final class AddressListParser extends FieldScanner {

    private AddressListParser(String s) {
        super(s);
    }

    static List<EnvelopeAddress> parse(String value) {
        AddressListParser p = new AddressListParser(value);
        List<EnvelopeAddress> out = new ArrayList<>();
        while (true) {
            p.skipCfws();
            if (p.atEnd()) {
                return out;
            }
            if (p.at(',') || p.at(';')) {
                p.i++;
                continue;
            }
            int before = p.i;
            p.address(out, false);
            if (p.i == before) {
                p.i++; // never loop on a character nothing consumed
            }
        }
    }

    /** Words of a phrase or local part: as a display name (spaces kept as one) and as a local part (no spaces). */
    private static final class Words {
        final StringBuilder phrase = new StringBuilder();
        final StringBuilder joined = new StringBuilder();

        boolean isEmpty() {
            return joined.length() == 0;
        }

        void add(String word, boolean spaceBefore) {
            if (spaceBefore && phrase.length() > 0) {
                phrase.append(' ');
            }
            phrase.append(word);
            joined.append(word);
        }
    }

    private void address(List<EnvelopeAddress> out, boolean inGroup) {
        lastComment = null;
        Words words = words();
        skipCfws();
        if (at(':') && !inGroup) {
            i++;
            out.add(EnvelopeAddress.groupStart(words.phrase.toString()));
            while (true) {
                skipCfws();
                if (atEnd()) {
                    break;
                }
                if (at(';')) {
                    i++;
                    break;
                }
                if (at(',')) {
                    i++;
                    continue;
                }
                int before = i;
                address(out, true);
                if (i == before) {
                    i++;
                }
            }
            out.add(EnvelopeAddress.groupEnd());
            return; // what follows is the next address, even without the comma RFC 5322 wants

        }
        if (at('<')) {
            i++;
            angleAddress(out, words);
            skipJunk(inGroup);
            return;
        }
        if (at('@') && !words.isEmpty()) {
            i++;
            String domain = domain();
            out.add(address(Optional.empty(), Optional.empty(), words.joined.toString(), domain));
            skipJunk(inGroup);
            return;
        }
        if (!words.isEmpty()) {
            // No '@': a bare word, as in "To: undisclosed-recipients" or a local user name.
            out.add(address(Optional.empty(), Optional.empty(), words.joined.toString(), ""));
        }
        skipJunk(inGroup);
    }

    /** After {@code <}: {@code [route ":"] local-part "@" domain ">"}. */
    private void angleAddress(List<EnvelopeAddress> out, Words name) {
        skipCfws();
        Optional<String> route = Optional.empty();
        if (at('@')) {
            StringBuilder r = new StringBuilder();
            while (at('@')) {
                i++;
                String d = domain();
                if (r.length() > 0) {
                    r.append(',');
                }
                r.append('@').append(d);
                skipCfws();
                if (at(',')) {
                    i++;
                    skipCfws();
                }
            }
            if (at(':')) {
                i++;
            }
            route = Optional.of(r.toString());
        }
        Words local = words();
        String domain = "";
        skipCfws();
        if (at('@')) {
            i++;
            domain = domain();
        }
        while (!atEnd() && !at('>')) {
            if (at('"')) {
                quoted();
            } else {
                i++;
            }
        }
        if (at('>')) {
            i++;
        }
        Optional<String> displayName = name.isEmpty() ? Optional.empty() : Optional.of(name.phrase.toString());
        if (local.isEmpty() && domain.isEmpty() && displayName.isEmpty()) {
            return; // "<>": nobody
        }
        out.add(address(displayName, route, local.joined.toString(), domain));
    }

    private EnvelopeAddress address(Optional<String> name, Optional<String> route, String local, String domain) {
        if (name.isEmpty() && lastComment != null && !lastComment.isBlank()) {
            name = Optional.of(lastComment.strip());
        }
        return new EnvelopeAddress(name, route, Optional.of(local.isEmpty() ? EnvelopeAddress.MISSING_MAILBOX : local),
                Optional.of(domain.isEmpty() ? EnvelopeAddress.MISSING_DOMAIN : domain));
    }

    /** Atoms, quoted strings and dots up to a special character ({@code < > : ; @ , [ ] \}). */
    private Words words() {
        Words w = new Words();
        while (true) {
            boolean space = skipCfws();
            if (atEnd()) {
                return w;
            }
            char c = s.charAt(i);
            if (c == '"') {
                w.add(quoted(), space);
            } else if (c == '.') {
                i++;
                w.add(".", false);
            } else if (isAtom(c)) {
                w.add(atom(), space);
            } else {
                return w;
            }
        }
    }

    /** A dot-atom or domain literal, white space and comments between its pieces dropped. */
    private String domain() {
        StringBuilder d = new StringBuilder();
        boolean needDot = false;
        while (true) {
            skipCfws();
            if (atEnd()) {
                break;
            }
            char c = s.charAt(i);
            if (c == '.') {
                d.append('.');
                i++;
                needDot = false;
            } else if (needDot) {
                break; // "a@b c": the domain ended at b
            } else if (c == '[') {
                int from = i;
                while (i < s.length() && s.charAt(i) != ']') {
                    i += s.charAt(i) == '\\' ? 2 : 1;
                }
                i = Math.min(i + 1, s.length());
                d.append(s, from, i);
                needDot = true;
            } else if (isAtom(c)) {
                d.append(atom());
                needDot = true;
            } else {
                break;
            }
        }
        return d.toString();
    }

    /** Skips what is left of a broken address, up to the next comma (or a group's {@code ;}). */
    private void skipJunk(boolean inGroup) {
        while (true) {
            skipCfws();
            if (atEnd() || at(',') || (inGroup && at(';'))) {
                return;
            }
            if (at('"')) {
                quoted();
            } else {
                i++;
            }
        }
    }

    private static boolean isAtom(char c) {
        // RFC 5322 atext, plus every non-ASCII character (RFC 6532) and the lenient rest.
        return c > ' ' && c != 0x7f && "()<>[]:;@\\,.\"".indexOf(c) < 0;
    }

    private String atom() {
        int from = i;
        while (i < s.length() && isAtom(s.charAt(i))) {
            i++;
        }
        return s.substring(from, i);
    }
}
