package dev.postwerk.mime.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.postwerk.api.mail.BodyPart;
import dev.postwerk.api.mail.ContentDisposition;
import dev.postwerk.api.mail.EnvelopeAddress;
import dev.postwerk.api.mail.EnvelopeFields;
import dev.postwerk.api.mail.MessageStructure;
import dev.postwerk.api.mail.MimeParameter;
import dev.postwerk.mime.internal.HeaderFields.Name;
import dev.postwerk.mime.internal.MimeFields.MediaType;

/**
 * One pass over one message, line by line, building its MIME tree with exact byte offsets.
 *
 * <p>The rules, as Dovecot applies them to real mail:
 * <ul>
 * <li>A header ends at the first empty line, at a boundary line of an enclosing multipart
 * (RFC 2046 §5.1.1 lets a part have no body), or at the end. Lines that are no field are skipped.</li>
 * <li>A line is a delimiter of an enclosing multipart when it is {@code --boundary}, optionally
 * followed by {@code --} (the close delimiter) and white space. Boundaries are tried innermost
 * first, exact matches before prefix matches, so nested boundaries that are prefixes of each
 * other still work and trailing junk after a boundary is tolerated.</li>
 * <li>The line break before a delimiter belongs to the delimiter, not to the part before it.</li>
 * <li>An outer boundary ends every inner part whose close delimiter is missing; the end of the
 * message ends everything.</li>
 * <li>No Content-Type, or one that is not {@code type/subtype}: {@code text/plain;
 * charset=us-ascii} (in {@code multipart/digest}: {@code message/rfc822}). A multipart without
 * boundary or without any delimiter line, and anything nested deeper than the limit, is
 * described as text/plain.</li>
 * </ul>
 */
final class StructureScanner {

    private static final List<MimeParameter> DEFAULT_TEXT_PARAMETERS = List.of(new MimeParameter("CHARSET", "US-ASCII"));
    private static final MediaType DEFAULT_TEXT = new MediaType("TEXT", "PLAIN", DEFAULT_TEXT_PARAMETERS);
    private static final MediaType DEFAULT_DIGEST_PART = new MediaType("MESSAGE", "RFC822", List.of());
    private static final String DEFAULT_ENCODING = "7BIT";
    /** White space after a boundary that still counts as transport padding. */
    private static final int PADDING = 64;

    private final LineReader in;
    private final ParserLimits limits;
    /** Boundaries of the enclosing multiparts, outermost first. */
    private final List<byte[]> boundaries = new ArrayList<>();
    /** Octets of a body line kept: enough to compare with the longest boundary. */
    private int bodyKeep;
    private int entities;

    // The last delimiter line found.
    private int matchedLevel;
    private boolean matchedClose;

    /** A position between lines: offset, line feeds before it, whether the octet before it is a line feed. */
    private record End(long offset, long lineFeeds, boolean atLineStart) {

        /** The later of two positions: a body cannot end before it starts, nor a parent before its last part. */
        End atLeast(End other) {
            return other.offset > offset ? other : this;
        }
    }

    /** An entity and where it ended. */
    private record Built(BodyPart part, End end) {
    }

    /** An embedded message and where it ended. */
    private record BuiltMessage(MessageStructure message, End end) {
    }

    /** Where the delimiter or the end of the message was found that ended the last multipart. */
    private End multipartEnd;

    StructureScanner(InputStream raw, ParserLimits limits) {
        this.in = new LineReader(raw);
        this.limits = limits;
    }

    MessageStructure message() throws IOException {
        return message(0, new End(0, 0, true)).message();
    }

    /** A message whose header starts at {@code start} (an embedded one: where its part's body starts). */
    private BuiltMessage message(int depth, End start) throws IOException {
        long headerStart = start.offset();
        long headerLineFeeds = start.lineFeeds();
        HeaderFields fields = new HeaderFields(true, limits.maxFieldOctets());
        End bodyStart = header(fields, headerStart, headerLineFeeds);
        Built body = body(fields, headerStart, bodyStart, depth, false);
        return new BuiltMessage(new MessageStructure(envelope(fields), body.part()), body.end());
    }

    private Built part(int depth, boolean inDigest) throws IOException {
        long headerStart = in.position();
        long headerLineFeeds = in.lineFeeds();
        HeaderFields fields = new HeaderFields(false, limits.maxFieldOctets());
        End bodyStart = header(fields, headerStart, headerLineFeeds);
        return body(fields, headerStart, bodyStart, depth, inDigest);
    }

    // ------------------------------------------------------------------ header

    /** Reads a header; returns where the body starts. */
    private End header(HeaderFields fields, long headerStart, long headerLineFeeds) throws IOException {
        Name current = null;
        while (true) {
            if (!in.next(limits.maxFieldOctets())) {
                return atEndOfMessage();
            }
            if (!boundaries.isEmpty() && matchesBoundary()) {
                // A part that is all header: the body is empty and starts where the delimiter's line break does.
                in.unread();
                End e = beforeCurrentLine();
                return e.offset() < headerStart ? new End(headerStart, headerLineFeeds, true) : e;
            }
            int length = in.headLength();
            if (in.length() == 0) {
                return new End(in.position(), in.lineFeeds(), true);
            }
            byte[] line = in.head();
            if (line[0] == ' ' || line[0] == '\t') {
                if (current != null) {
                    fields.continuation(current, line, length);
                }
            } else {
                current = fields.start(line, length);
            }
        }
    }

    // ------------------------------------------------------------------ body

    private Built body(HeaderFields fields, long headerStart, End bodyStart, int depth, boolean inDigest)
            throws IOException {
        MediaType type = fields.get(Name.CONTENT_TYPE).flatMap(MimeFields::mediaType)
                .orElse(inDigest ? DEFAULT_DIGEST_PART : DEFAULT_TEXT);
        boolean deeper = depth < limits.maxDepth() && entities < limits.maxParts();
        if (type.type().equalsIgnoreCase("multipart")) {
            byte[] boundary = boundaryOf(type);
            if (boundary != null && deeper) {
                List<Built> parts = multipart(boundary, depth, type.subtype().equalsIgnoreCase("digest"));
                End end = multipartEnd.atLeast(bodyStart);
                if (parts.isEmpty()) {
                    return part(DEFAULT_TEXT, fields, headerStart, bodyStart, end, List.of(), Optional.empty());
                }
                end = end.atLeast(parts.get(parts.size() - 1).end());
                return part(type, fields, headerStart, bodyStart, end, parts.stream().map(Built::part).toList(),
                        Optional.empty());
            }
            return part(DEFAULT_TEXT, fields, headerStart, bodyStart, skipToEnd(), List.of(), Optional.empty());
        }
        if (type.type().equalsIgnoreCase("message")
                && (type.subtype().equalsIgnoreCase("rfc822") || type.subtype().equalsIgnoreCase("global"))) {
            if (!deeper) {
                return part(DEFAULT_TEXT, fields, headerStart, bodyStart, skipToEnd(), List.of(), Optional.empty());
            }
            // The embedded message starts right after this part's header (RFC 2046 §5.2.1) and
            // ends where this part does.
            entities++;
            BuiltMessage embedded = message(depth + 1, bodyStart);
            return part(type, fields, headerStart, bodyStart, embedded.end(), List.of(),
                    Optional.of(embedded.message()));
        }
        return part(type, fields, headerStart, bodyStart, skipToEnd(), List.of(), Optional.empty());
    }

    /**
     * The parts of a multipart whose header has been read: preamble, parts, epilogue. Returns its
     * parts (empty when no delimiter line was found) and leaves where it ended in {@link #multipartEnd}.
     */
    private List<Built> multipart(byte[] boundary, int depth, boolean digest) throws IOException {
        boundaries.add(boundary);
        int level = boundaries.size() - 1;
        updateKeep();
        List<Built> parts = new ArrayList<>();
        boolean found = skipToDelimiter(); // the preamble
        while (found && matchedLevel == level && !matchedClose) {
            if (entities >= limits.maxParts()) {
                found = skipToDelimiter(); // not listed: its octets stay in this multipart's body
                continue;
            }
            entities++;
            parts.add(part(depth + 1, digest));
            // The part ended at the delimiter line it gave back, or at the end of the message.
            found = in.next(bodyKeep);
        }
        boundaries.remove(level);
        updateKeep();
        if (found && matchedLevel == level) {
            found = skipToDelimiter(); // after the close delimiter: the epilogue, up to an outer boundary
        }
        multipartEnd = found ? endBeforeAndGiveBack() : atEndOfMessage();
        return parts;
    }

    /** A leaf's body: up to the next delimiter of an enclosing multipart, or the end. */
    private End skipToEnd() throws IOException {
        return skipToDelimiter() ? endBeforeAndGiveBack() : atEndOfMessage();
    }

    /** Reads lines up to a delimiter of an enclosing multipart (then the current line); false at the end. */
    private boolean skipToDelimiter() throws IOException {
        if (boundaries.isEmpty()) {
            while (in.next(0)) {
                // nothing can end this body but the end of the message
            }
            return false;
        }
        while (in.next(bodyKeep)) {
            if (matchesBoundary()) {
                return true;
            }
        }
        return false;
    }

    private End endBeforeAndGiveBack() {
        End e = beforeCurrentLine();
        in.unread();
        return e;
    }

    /** The end of a body just before the current (delimiter) line and the line break before it. */
    private End beforeCurrentLine() {
        int previousBreak = in.previousTerminator();
        return new End(in.start() - previousBreak, in.lfBefore() - (previousBreak > 0 ? 1 : 0),
                in.previousLength() == 0);
    }

    private End atEndOfMessage() {
        return new End(in.position(), in.lineFeeds(), in.atLineStart());
    }

    // ------------------------------------------------------------------ boundaries

    private static byte[] boundaryOf(MediaType type) {
        for (MimeParameter p : type.parameters()) {
            if (p.name().equalsIgnoreCase("boundary") && !p.value().isEmpty()) {
                return p.value().getBytes(StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private void updateKeep() {
        int longest = 0;
        for (byte[] b : boundaries) {
            longest = Math.max(longest, b.length);
        }
        bodyKeep = boundaries.isEmpty() ? 0 : 2 + longest + 2 + PADDING;
    }

    /** Whether the current line is a delimiter of an enclosing multipart; sets {@link #matchedLevel}. */
    private boolean matchesBoundary() {
        int n = in.headLength();
        byte[] line = in.head();
        if (n < 3 || line[0] != '-' || line[1] != '-') {
            return false;
        }
        for (int level = boundaries.size() - 1; level >= 0; level--) {
            byte[] b = boundaries.get(level);
            if (startsWith(line, n, b)) {
                int rest = 2 + b.length;
                boolean close = rest + 1 < n && line[rest] == '-' && line[rest + 1] == '-';
                int k = close ? rest + 2 : rest;
                while (k < n && (line[k] == ' ' || line[k] == '\t')) {
                    k++;
                }
                if (k == n && in.complete()) {
                    matchedLevel = level;
                    matchedClose = close;
                    return true;
                }
            }
        }
        // No exact delimiter: accept junk after a boundary, innermost first (as Dovecot does).
        for (int level = boundaries.size() - 1; level >= 0; level--) {
            byte[] b = boundaries.get(level);
            if (startsWith(line, n, b)) {
                int rest = 2 + b.length;
                matchedLevel = level;
                matchedClose = rest + 1 < n && line[rest] == '-' && line[rest + 1] == '-';
                return true;
            }
        }
        return false;
    }

    private static boolean startsWith(byte[] line, int n, byte[] boundary) {
        if (n < 2 + boundary.length) {
            return false;
        }
        for (int k = 0; k < boundary.length; k++) {
            if (line[2 + k] != boundary[k]) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ results

    /** An entity whose body ends at {@code end}, or is empty when {@code end} is not after its start. */
    private static Built part(MediaType type, HeaderFields f, long headerStart, End bodyStart, End end,
            List<BodyPart> parts, Optional<MessageStructure> message) {
        End stop = end.atLeast(bodyStart);
        long lines = stop.offset() == bodyStart.offset() ? 0
                : stop.lineFeeds() - bodyStart.lineFeeds() + (stop.atLineStart() ? 0 : 1);
        Optional<ContentDisposition> disposition = f.get(Name.CONTENT_DISPOSITION).flatMap(MimeFields::disposition);
        List<String> language = f.get(Name.CONTENT_LANGUAGE).map(MimeFields::languages).orElse(List.of());
        String encoding = f.get(Name.CONTENT_TRANSFER_ENCODING).flatMap(MimeFields::encoding).orElse(DEFAULT_ENCODING);
        BodyPart part = new BodyPart(type.type(), type.subtype(), type.parameters(), f.nonBlank(Name.CONTENT_ID),
                f.nonBlank(Name.CONTENT_DESCRIPTION), encoding, f.nonBlank(Name.CONTENT_MD5), disposition, language,
                f.nonBlank(Name.CONTENT_LOCATION), headerStart, bodyStart.offset(), stop.offset(), lines, parts, message);
        return new Built(part, stop);
    }

    /** RFC 3501 §7.4.2: Sender and Reply-To fall back to From when absent or empty. */
    private static EnvelopeFields envelope(HeaderFields f) {
        List<EnvelopeAddress> from = addresses(f, Name.FROM);
        List<EnvelopeAddress> sender = addresses(f, Name.SENDER);
        List<EnvelopeAddress> replyTo = addresses(f, Name.REPLY_TO);
        return new EnvelopeFields(f.get(Name.DATE), f.get(Name.SUBJECT), from, sender.isEmpty() ? from : sender,
                replyTo.isEmpty() ? from : replyTo, addresses(f, Name.TO), addresses(f, Name.CC), addresses(f, Name.BCC),
                f.get(Name.IN_REPLY_TO), f.get(Name.MESSAGE_ID));
    }

    private static List<EnvelopeAddress> addresses(HeaderFields f, Name name) {
        return f.get(name).map(AddressListParser::parse).orElse(List.of());
    }
}
