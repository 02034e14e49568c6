package dev.postwerk.api.mail;

import java.util.List;
import java.util.Objects;

/**
 * A {@code Content-Disposition} field (RFC 2183), as IMAP's {@code body-fld-dsp} shows it.
 *
 * @param type {@code inline}, {@code attachment} or another token, case as in the message
 * @param parameters the field's parameters in message order
 */
public record ContentDisposition(String type, List<MimeParameter> parameters) {
    public ContentDisposition {
        Objects.requireNonNull(type, "type");
        parameters = List.copyOf(parameters);
    }
}
