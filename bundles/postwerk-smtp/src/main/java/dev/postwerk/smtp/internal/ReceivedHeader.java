package dev.postwerk.smtp.internal;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.postwerk.api.mail.Origin;
import dev.postwerk.api.mail.Recipient;

/**
 * The trace header (RFC 5321 §4.4) put at the top of every message, with the protocol keyword of
 * RFC 3848 / RFC 6531 (ESMTP, ESMTPS, ESMTPA, ESMTPSA, UTF8SMTP...) and the TLS and auth details
 * Postfix writes.
 */
final class ReceivedHeader {

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.US);

    private ReceivedHeader() {
    }

    static String build(Origin origin, boolean esmtp, boolean utf8, String hostname, String id,
            List<Recipient> recipients, ZonedDateTime now) {
        String helo = origin.heloName().map(ReceivedHeader::clean).orElse("unknown");
        StringBuilder sb = new StringBuilder("Received: from ").append(helo).append(" (")
                .append(addressLiteral(origin)).append(")\r\n\tby ").append(hostname).append(" (Postwerk) with ")
                .append(protocol(esmtp, utf8, origin.tls().isPresent(), origin.authIdentity().isPresent()))
                .append(" id ").append(id);
        Optional<String> tls = origin.tls();
        if (tls.isPresent()) {
            String[] parts = tls.get().split(" ", 2);
            sb.append("\r\n\t(using ").append(parts[0]).append(parts.length > 1 ? " with cipher " + parts[1] : "")
                    .append(")");
        }
        origin.authIdentity().ifPresent(a -> sb.append("\r\n\t(Authenticated sender: ").append(clean(a)).append(")"));
        if (recipients.size() == 1) {
            // only for one recipient: more would disclose Bcc recipients to each other
            sb.append("\r\n\tfor ").append(recipients.get(0).address().toPath());
        }
        sb.append(";\r\n\t").append(DATE.format(now)).append("\r\n");
        return sb.toString();
    }

    static String protocol(boolean esmtp, boolean utf8, boolean tls, boolean auth) {
        if (!esmtp) {
            return "SMTP";
        }
        return (utf8 ? "UTF8SMTP" : "ESMTP") + (tls ? "S" : "") + (auth ? "A" : "");
    }

    private static String addressLiteral(Origin origin) {
        java.net.InetAddress address = origin.client().getAddress();
        return address instanceof java.net.Inet6Address ? "[IPv6:" + address.getHostAddress() + "]"
                : "[" + address.getHostAddress() + "]";
    }

    /** Keeps client-given text from breaking the header: no line ends, no parentheses or semicolons. */
    private static String clean(String text) {
        StringBuilder sb = new StringBuilder(Math.min(text.length(), 255));
        for (int i = 0; i < text.length() && sb.length() < 255; i++) {
            char c = text.charAt(i);
            sb.append(c < 0x21 || c == 0x7f || c == '(' || c == ')' || c == ';' ? '_' : c);
        }
        return sb.toString();
    }
}
