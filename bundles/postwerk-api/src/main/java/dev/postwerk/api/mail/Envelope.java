package dev.postwerk.api.mail;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The SMTP envelope of one message: sender, recipients, where it came from and the ESMTP
 * parameters of {@code MAIL FROM} (SIZE, BODY, SMTPUTF8, RET, ENVID, AUTH). It travels with the
 * message from the SMTP session through the spool to delivery and bounces.
 *
 * @param sender the reverse-path; empty for the null sender {@code <>} (bounces)
 * @param recipients the accepted forward-paths, in the order given
 * @param origin the client that sent it
 * @param parameters ESMTP parameters of MAIL FROM, keys upper case, values as given (empty
 *        string for a keyword without value)
 */
public record Envelope(Optional<MailAddress> sender, List<Recipient> recipients, Origin origin,
        Map<String, String> parameters) {

    public Envelope {
        Objects.requireNonNull(sender, "sender");
        recipients = List.copyOf(recipients);
        Objects.requireNonNull(origin, "origin");
        TreeMap<String, String> upper = new TreeMap<>();
        parameters.forEach((k, v) -> upper.put(k.toUpperCase(Locale.ROOT), Objects.requireNonNull(v, k)));
        parameters = java.util.Collections.unmodifiableMap(upper);
    }

    /** The same envelope with one more recipient. */
    public Envelope withRecipient(Recipient recipient) {
        List<Recipient> list = new ArrayList<>(recipients.size() + 1);
        list.addAll(recipients);
        list.add(recipient);
        return new Envelope(sender, list, origin, parameters);
    }

    /** The same envelope with these recipients instead. */
    public Envelope withRecipients(List<Recipient> list) {
        return new Envelope(sender, list, origin, parameters);
    }

    /** An ESMTP parameter of MAIL FROM by name, case-insensitive. */
    public Optional<String> parameter(String name) {
        return Optional.ofNullable(parameters.get(name.toUpperCase(Locale.ROOT)));
    }

    /** RFC 3461 §4.3 RET: return the full message or only the headers in a DSN. */
    public Optional<DsnReturn> dsnReturn() {
        return parameter("RET").map(v -> DsnReturn.valueOf(v.toUpperCase(Locale.ROOT)));
    }

    /** RFC 3461 §4.4 ENVID, as given (xtext-encoded). */
    public Optional<String> envelopeId() {
        return parameter("ENVID");
    }

    /** RFC 3461 §4.3 RET values. */
    public enum DsnReturn {
        FULL, HDRS
    }
}
