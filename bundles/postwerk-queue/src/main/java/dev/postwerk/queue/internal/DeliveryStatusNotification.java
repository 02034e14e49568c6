package dev.postwerk.queue.internal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import dev.postwerk.api.mail.Envelope;
import dev.postwerk.api.mail.MailAddress;
import dev.postwerk.api.mail.MessageContent;
import dev.postwerk.api.mail.Recipient;

/**
 * Writes an RFC 3464 delivery status notification for recipients that failed for good:
 * {@code multipart/report; report-type=delivery-status} (RFC 6522) with a human-readable part, the
 * {@code message/delivery-status} part, and the original message ({@code message/rfc822}) or its
 * header only ({@code text/rfc822-headers}) as RET asks (RFC 3461 §4.3). The original is copied as
 * a stream, never loaded. Written by hand: the structure is fixed and small, and this keeps the
 * queue free of a MIME library at run time.
 */
final class DeliveryStatusNotification {

    /** RFC 3464 §2.3.3 Action of a recipient in a notice. */
    enum Action {
        FAILED, DELAYED, DELIVERED
    }

    /**
     * One recipient's outcome: failed for good, delivered (a success notice, RFC 3461 §4.1
     * NOTIFY=SUCCESS), or still being retried (a delay notice, NOTIFY=DELAY).
     */
    record Failure(Recipient recipient, String status, String diagnostic, Optional<String> remoteMta, Action action) {
        Failure(Recipient recipient, String status, String diagnostic, Optional<String> remoteMta) {
            this(recipient, status, diagnostic, remoteMta, status.startsWith("2.") ? Action.DELIVERED : Action.FAILED);
        }

        boolean delivered() {
            return action == Action.DELIVERED;
        }
    }

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);

    private final String hostname;
    private final String postmaster;
    private final long sizeLimit;

    DeliveryStatusNotification(String hostname, String postmaster, long sizeLimit) {
        this.hostname = hostname;
        this.postmaster = postmaster;
        this.sizeLimit = sizeLimit;
    }

    /** RFC 5322 date-time, as in Date: and the DSN date fields. */
    static String date(Instant instant) {
        return DATE.format(instant);
    }

    /**
     * Writes the DSN for {@code failures} of the message {@code original} (with {@code envelope},
     * queued as {@code queueId}, arrived at {@code arrived}) to {@code out}; {@code retryUntil} is
     * when a delayed message's recipients will be given up (delay notices).
     */
    void write(OutputStream out, String queueId, Envelope envelope, Instant arrived, MessageContent original,
            List<Failure> failures, Instant now, Optional<Instant> retryUntil) throws IOException {
        MailAddress to = envelope.sender().orElseThrow(() -> new IllegalArgumentException("no bounce to the null sender"));
        Action action = failures.get(0).action();
        if (failures.stream().anyMatch(f -> f.action() != action)) {
            throw new IllegalArgumentException("one notice reports failures, delays or deliveries, not a mix");
        }
        boolean success = action == Action.DELIVERED;
        boolean delayed = action == Action.DELAYED;
        String boundary = "=_" + queueId + "/" + UUID.randomUUID() + "/" + hostname;
        // RFC 3461 §4.3: RET=HDRS returns the header only; without RET we return the full message up
        // to a size limit. BINARYMIME content cannot travel inside message/rfc822 on an 8-bit path.
        // A success notice carries the header only (RFC 3461 §4.3: RET=FULL is for failed DSNs).
        boolean full = action == Action.FAILED && envelope.dsnReturn().map(r -> r == Envelope.DsnReturn.FULL).orElse(true)
                && original.size() <= sizeLimit
                && !envelope.parameter("BODY").map(b -> b.equalsIgnoreCase("BINARYMIME")).orElse(false);
        StringBuilder h = new StringBuilder(2048);
        line(h, "From: Mail Delivery System <" + postmaster + ">");
        line(h, "To: <" + to + ">");
        line(h, "Subject: " + (success ? "Successful Mail Delivery Report"
                : delayed ? "Delayed Mail (still being retried)" : "Undelivered Mail Returned to Sender"));
        line(h, "Date: " + date(now));
        line(h, "Message-ID: <" + queueId + "." + now.toEpochMilli() + ".dsn@" + hostname + ">");
        // RFC 3834 §5: an automatic reply, so responders do not answer it
        line(h, "Auto-Submitted: auto-replied");
        line(h, "MIME-Version: 1.0");
        line(h, "Content-Type: multipart/report; report-type=delivery-status;");
        line(h, "\tboundary=\"" + boundary + "\"");
        line(h, "Content-Transfer-Encoding: 8bit");
        line(h, "");
        line(h, "This is a MIME-encapsulated message.");
        line(h, "");
        line(h, "--" + boundary);
        line(h, "Content-Description: Notification");
        line(h, "Content-Type: text/plain; charset=utf-8");
        line(h, "Content-Transfer-Encoding: 8bit");
        line(h, "");
        line(h, "This is the mail system at host " + hostname + ".");
        line(h, "");
        if (success) {
            line(h, "Your message was delivered to the recipients below, as you asked (NOTIFY=SUCCESS).");
            line(h, "Its header is attached below.");
        } else if (delayed) {
            line(h, "Your message could not be delivered yet to the recipients below; this is only a warning,");
            line(h, "you do not need to send it again. Delivery will be retried"
                    + retryUntil.map(u -> " until " + date(u) + ".").orElse("."));
            line(h, "Its header is attached below.");
        } else {
            line(h, "Your message could not be delivered to one or more recipients.");
            line(h, "It is attached below" + (full ? "." : " (header only)."));
        }
        line(h, "");
        for (Failure f : failures) {
            line(h, "<" + f.recipient().address() + ">: " + oneLine(f.diagnostic()));
        }
        line(h, "");
        line(h, "--" + boundary);
        line(h, "Content-Description: Delivery report");
        line(h, "Content-Type: message/delivery-status");
        line(h, "");
        // RFC 3464 §2.2: per-message fields
        line(h, "Reporting-MTA: dns; " + hostname);
        line(h, "X-Postwerk-Queue-ID: " + queueId);
        // RFC 3464 §2.2.1 / §2.3.1: ENVID and ORCPT travel xtext-encoded in SMTP, decoded here
        envelope.envelopeId().ifPresent(id -> line(h, "Original-Envelope-Id: " + oneLine(xtextDecode(id))));
        line(h, "Arrival-Date: " + date(arrived));
        for (Failure f : failures) {
            // RFC 3464 §2.3: per-recipient fields, each group after a blank line
            line(h, "");
            f.recipient().originalRecipient().ifPresent(o -> {
                int semicolon = o.indexOf(';');
                line(h, "Original-Recipient: " + oneLine(semicolon < 0 ? o
                        : o.substring(0, semicolon) + ";" + xtextDecode(o.substring(semicolon + 1))));
            });
            line(h, "Final-Recipient: rfc822; " + f.recipient().address());
            line(h, "Action: " + f.action().name().toLowerCase(Locale.ROOT));
            line(h, "Status: " + f.status());
            f.remoteMta().ifPresent(m -> line(h, "Remote-MTA: dns; " + oneLine(m)));
            if (!f.delivered()) {
                line(h, "Diagnostic-Code: smtp; " + oneLine(f.diagnostic()));
            }
            line(h, "Last-Attempt-Date: " + date(now));
            if (delayed) {
                retryUntil.ifPresent(u -> line(h, "Will-Retry-Until: " + date(u))); // RFC 3464 §2.3.9
            }
        }
        line(h, "");
        line(h, "--" + boundary);
        if (full) {
            line(h, "Content-Description: Undelivered Message");
            line(h, "Content-Type: message/rfc822");
            line(h, "Content-Transfer-Encoding: 8bit");
        } else {
            line(h, "Content-Description: " + (success || delayed ? "Message Headers" : "Undelivered Message Headers"));
            line(h, "Content-Type: text/rfc822-headers");
            line(h, "Content-Transfer-Encoding: 8bit");
        }
        line(h, "");
        out.write(h.toString().getBytes(StandardCharsets.UTF_8));
        boolean endsWithLineBreak;
        try (InputStream in = new BufferedInputStream(original.openStream(), 1 << 16)) {
            endsWithLineBreak = full ? copyAll(in, out) : copyHeader(in, out);
        }
        StringBuilder t = new StringBuilder();
        if (!endsWithLineBreak) {
            line(t, "");
        }
        // RFC 2046 §5.1.1: the CRLF before a boundary belongs to the boundary
        line(t, "");
        line(t, "--" + boundary + "--");
        out.write(t.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Copies everything; true when it ended with CRLF (or was empty). */
    private static boolean copyAll(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[1 << 16];
        int last = '\n';
        int n;
        while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
            last = buf[n - 1];
        }
        return last == '\n';
    }

    /** Copies the header section up to and including its last field's CRLF (not the empty line). */
    private static boolean copyHeader(InputStream in, OutputStream out) throws IOException {
        int prev = '\n';
        int c;
        boolean atLineStart = true;
        while ((c = in.read()) >= 0) {
            if (atLineStart && (c == '\r' || c == '\n')) {
                return true; // the empty line that ends the header
            }
            out.write(c);
            atLineStart = c == '\n';
            prev = c;
        }
        return prev == '\n';
    }

    private static void line(StringBuilder b, String s) {
        b.append(s).append("\r\n");
    }

    /** RFC 3461 §4: "+HH" is the octet HH; anything malformed is kept as it came. */
    static String xtextDecode(String xtext) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < xtext.length(); i++) {
            char c = xtext.charAt(i);
            int hi = i + 2 < xtext.length() ? "0123456789ABCDEF".indexOf(xtext.charAt(i + 1)) : -1;
            int lo = i + 2 < xtext.length() ? "0123456789ABCDEF".indexOf(xtext.charAt(i + 2)) : -1;
            if (c == '+' && hi >= 0 && lo >= 0) {
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String oneLine(String s) {
        return s.replaceAll("[\\r\\n]+", " ");
    }
}
