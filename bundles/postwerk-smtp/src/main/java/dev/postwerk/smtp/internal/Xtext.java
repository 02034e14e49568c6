package dev.postwerk.smtp.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** RFC 3461 §4 xtext, the encoding of ENVID, ORCPT and AUTH= values. */
final class Xtext {

    private Xtext() {
    }

    /** Decodes xtext; empty when it is malformed (a bare '+', a bad hex pair, a forbidden character). */
    static Optional<String> decode(String xtext) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < xtext.length(); i++) {
            char c = xtext.charAt(i);
            if (c == '+') {
                if (i + 2 >= xtext.length()) {
                    return Optional.empty();
                }
                // RFC 3461 §4: "+" and two upper-case hex digits
                int hi = "0123456789ABCDEF".indexOf(xtext.charAt(i + 1));
                int lo = "0123456789ABCDEF".indexOf(xtext.charAt(i + 2));
                if (hi < 0 || lo < 0) {
                    return Optional.empty();
                }
                out.write(hi * 16 + lo);
                i += 2;
            } else if (c >= '!' && c <= '~' && c != '=') {
                out.write(c);
            } else {
                return Optional.empty();
            }
        }
        return Optional.of(out.toString(StandardCharsets.UTF_8));
    }

    /** Encodes as xtext: "+", "=" and anything outside "!".."~" become "+HH" (UTF-8 octets). */
    static String encode(String text) {
        StringBuilder sb = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= '!' && c <= '~' && c != '+' && c != '=') {
                sb.append((char) c);
            } else {
                sb.append('+').append("0123456789ABCDEF".charAt(c >> 4)).append("0123456789ABCDEF".charAt(c & 15));
            }
        }
        return sb.toString();
    }
}
