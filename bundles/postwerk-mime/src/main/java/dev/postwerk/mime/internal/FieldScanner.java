package dev.postwerk.mime.internal;

/**
 * A cursor over one header field's value with the RFC 5322 §3.2 lexical pieces that the address
 * and the MIME field parsers share: quoted strings, white space and (nested) comments.
 */
abstract class FieldScanner {

    final String s;
    int i;
    /** The text of the last comment skipped (an address without display name uses it). */
    String lastComment;

    FieldScanner(String s) {
        this.s = s;
    }

    final boolean atEnd() {
        return i >= s.length();
    }

    final boolean at(char c) {
        return i < s.length() && s.charAt(i) == c;
    }

    /** A quoted string at the cursor, without its quotes, quoted pairs resolved, line breaks dropped. */
    final String quoted() {
        StringBuilder b = new StringBuilder();
        i++; // the opening quote
        while (i < s.length()) {
            char c = s.charAt(i++);
            if (c == '"') {
                break;
            }
            if (c == '\\' && i < s.length()) {
                c = s.charAt(i++);
            }
            if (c != '\r' && c != '\n') {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** Skips white space and comments; returns whether there was any. */
    final boolean skipCfws() {
        boolean skipped = false;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                i++;
            } else if (c == '(') {
                comment();
            } else {
                return skipped;
            }
            skipped = true;
        }
        return skipped;
    }

    /** Skips a comment, nested ones and quoted pairs included; an unclosed one runs to the end. */
    final void comment() {
        int from = i + 1;
        int depth = 0;
        while (i < s.length()) {
            char c = s.charAt(i++);
            if (c == '\\') {
                i++;
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                lastComment = s.substring(from, i - 1);
                return;
            }
        }
        lastComment = s.substring(Math.min(from, s.length()));
        i = s.length();
    }
}
