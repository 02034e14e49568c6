package dev.postwerk.api.mail;

import java.util.Objects;

/**
 * One parameter of a {@code Content-Type} or {@code Content-Disposition} field, as IMAP's
 * {@code body-fld-param} lists it: name and value as written in the message (quotes removed, case
 * kept), RFC 2231 continuations ({@code name*0*}, {@code name*1*}) already joined into one
 * {@code name*} parameter whose value keeps its charset and percent-encoding.
 *
 * @param name the attribute, case as in the message
 * @param value the value, unquoted, not decoded
 */
public record MimeParameter(String name, String value) {
    public MimeParameter {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }
}
