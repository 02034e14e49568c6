package dev.postwerk.api.mail;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One MIME entity of a message (RFC 2045, RFC 2046): what IMAP's BODYSTRUCTURE says of it, and
 * where its bytes are in the raw message, so that {@code BODY[1.2]}, {@code BODY[1.2.MIME]},
 * {@code BODY[1.HEADER]} and {@code BODY[1.TEXT]} are served by streaming a byte range of
 * {@link MessageContent#openStream()} rather than by parsing again.
 *
 * <p>Offsets count octets from the start of the message as stored:
 * <ul>
 * <li>{@code [headerStart, bodyStart)} is the entity's header including the empty line that ends
 * it (the MIME header of a part: {@code BODY[n.MIME]}; of the message or an embedded message:
 * {@code BODY[HEADER]}, {@code BODY[n.HEADER]});</li>
 * <li>{@code [bodyStart, end)} is its body as transferred, still encoded ({@code BODY[n]},
 * {@code BODY[TEXT]}). The line break before a boundary belongs to the boundary (RFC 2046 §5.1.1),
 * not to the part.</li>
 * </ul>
 *
 * <p>Strings keep the case and spelling of the message; values that the message does not give
 * are IMAP's defaults (RFC 2045 §5.2, §6.1): {@code TEXT/PLAIN; CHARSET=US-ASCII}, encoding
 * {@code 7BIT}; inside {@code multipart/digest}, {@code MESSAGE/RFC822}. An entity the parser
 * could not make sense of (a multipart without boundary or without any part, nesting beyond the
 * parser's limit) is described as {@code TEXT/PLAIN}, as Dovecot does, and its bytes are its body.
 *
 * @param type media type ({@code text}, {@code multipart}, ...), case as in the message
 * @param subtype media subtype, case as in the message
 * @param parameters {@code Content-Type} parameters in message order ({@code charset}, {@code name},
 *        {@code boundary}, ...)
 * @param id {@code Content-ID}
 * @param description {@code Content-Description}, raw (encoded words kept)
 * @param encoding {@code Content-Transfer-Encoding}, {@code 7BIT} when absent
 * @param md5 {@code Content-MD5}
 * @param disposition {@code Content-Disposition}
 * @param language {@code Content-Language} tags (RFC 3282), in order
 * @param location {@code Content-Location} (RFC 2557)
 * @param headerStart offset of the entity's first header octet
 * @param bodyStart offset of its first body octet (just after the empty line)
 * @param end offset just after its last body octet
 * @param lines lines of the body: line feeds in it, plus one for a last line without one (IMAP's
 *        {@code body-fld-lines}; counted for every entity, sent for {@code text/*} and
 *        {@code message/rfc822})
 * @param parts for {@code multipart/*}: its parts in order (never empty); otherwise empty
 * @param message for {@code message/rfc822} and {@code message/global} (RFC 6532): the embedded
 *        message, whose body offsets are of the same raw message; otherwise empty
 */
public record BodyPart(String type, String subtype, List<MimeParameter> parameters, Optional<String> id,
        Optional<String> description, String encoding, Optional<String> md5, Optional<ContentDisposition> disposition,
        List<String> language, Optional<String> location, long headerStart, long bodyStart, long end, long lines,
        List<BodyPart> parts, Optional<MessageStructure> message) {

    public BodyPart {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(subtype, "subtype");
        parameters = List.copyOf(parameters);
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(encoding, "encoding");
        Objects.requireNonNull(md5, "md5");
        Objects.requireNonNull(disposition, "disposition");
        language = List.copyOf(language);
        Objects.requireNonNull(location, "location");
        parts = List.copyOf(parts);
        Objects.requireNonNull(message, "message");
        if (headerStart < 0 || bodyStart < headerStart || end < bodyStart || lines < 0) {
            throw new IllegalArgumentException(
                    "bad offsets: header " + headerStart + ", body " + bodyStart + ", end " + end + ", lines " + lines);
        }
        if (type.equalsIgnoreCase("multipart") == parts.isEmpty()) {
            throw new IllegalArgumentException("a multipart has parts and only a multipart has: " + type + "/" + subtype);
        }
        if (message.isPresent() && !type.equalsIgnoreCase("message")) {
            throw new IllegalArgumentException("only a message/* part embeds a message: " + type + "/" + subtype);
        }
    }

    /** Whether this is a {@code multipart/*} entity (it has {@link #parts}). */
    public boolean isMultipart() {
        return !parts.isEmpty();
    }

    /** Whether {@code type/subtype} is this entity's media type, ignoring case. */
    public boolean is(String type, String subtype) {
        return this.type.equalsIgnoreCase(type) && this.subtype.equalsIgnoreCase(subtype);
    }

    /** Octets of the body as transferred ({@code body-fld-octets}). */
    public long size() {
        return end - bodyStart;
    }

    /** Octets of the header, including the empty line after it. */
    public long headerSize() {
        return bodyStart - headerStart;
    }

    /** The first {@code Content-Type} parameter of that name, ignoring case (e.g. {@code charset}). */
    public Optional<String> parameter(String name) {
        for (MimeParameter p : parameters) {
            if (p.name().equalsIgnoreCase(name)) {
                return Optional.of(p.value());
            }
        }
        return Optional.empty();
    }
}
