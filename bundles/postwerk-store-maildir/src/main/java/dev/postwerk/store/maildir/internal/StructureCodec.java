package dev.postwerk.store.maildir.internal;

import java.io.ByteArrayOutputStream;
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

/**
 * A {@link MessageStructure} as compact bytes for the structure cache: variable-length numbers,
 * offsets as differences, strings as UTF-8 with their length, an absent value as length 0 (a
 * present one as length + 1), Sender and Reply-To as "same as From" when they are (the common
 * case). A plain single-part message takes about 130 octets, a five-entity one about 530.
 *
 * <pre>
 * message  = envelope entity
 * envelope = opt(date) opt(subject) list(from) same-or-list(sender) same-or-list(reply-to)
 *            list(to) list(cc) list(bcc) opt(in-reply-to) opt(message-id)
 * address  = opt(name) opt(route) opt(mailbox) opt(host)
 * entity   = str(type) str(subtype) params opt(id) opt(description) str(encoding) opt(md5)
 *            disposition languages opt(location)
 *            num(headerStart) num(bodyStart - headerStart) num(end - bodyStart) num(lines)
 *            num(parts) entity* byte(0 | 1 message)
 * </pre>
 *
 * Decoding checks what it reads and throws {@link IllegalArgumentException} on anything
 * inconsistent, so a damaged record is a cache miss, never a wrong answer the record types would
 * accept.
 */
final class StructureCodec {

    /** Deeper than any parser limit: a record nested deeper is damaged. */
    private static final int MAX_DEPTH = 1000;

    private StructureCodec() {
    }

    static byte[] encode(MessageStructure s) {
        Writer w = new Writer();
        w.message(s);
        return w.out.toByteArray();
    }

    static MessageStructure decode(byte[] bytes) {
        Reader r = new Reader(bytes);
        MessageStructure s = r.message(0);
        if (r.pos != bytes.length) {
            throw new IllegalArgumentException("trailing octets in structure record");
        }
        return s;
    }

    private static final class Writer {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

        void message(MessageStructure s) {
            EnvelopeFields e = s.envelope();
            opt(e.date());
            opt(e.subject());
            addresses(e.from());
            sameOrAddresses(e.sender(), e.from());
            sameOrAddresses(e.replyTo(), e.from());
            addresses(e.to());
            addresses(e.cc());
            addresses(e.bcc());
            opt(e.inReplyTo());
            opt(e.messageId());
            entity(s.body());
        }

        void sameOrAddresses(List<EnvelopeAddress> list, List<EnvelopeAddress> from) {
            if (!list.isEmpty() && list.equals(from)) {
                number(0);
            } else {
                number(list.size() + 1L);
                list.forEach(this::address);
            }
        }

        void addresses(List<EnvelopeAddress> list) {
            number(list.size());
            list.forEach(this::address);
        }

        void address(EnvelopeAddress a) {
            opt(a.name());
            opt(a.route());
            opt(a.mailbox());
            opt(a.host());
        }

        void entity(BodyPart p) {
            str(p.type());
            str(p.subtype());
            parameters(p.parameters());
            opt(p.id());
            opt(p.description());
            str(p.encoding());
            opt(p.md5());
            if (p.disposition().isPresent()) {
                number(1);
                str(p.disposition().get().type());
                parameters(p.disposition().get().parameters());
            } else {
                number(0);
            }
            number(p.language().size());
            p.language().forEach(this::str);
            opt(p.location());
            number(p.headerStart());
            number(p.bodyStart() - p.headerStart());
            number(p.end() - p.bodyStart());
            number(p.lines());
            number(p.parts().size());
            p.parts().forEach(this::entity);
            if (p.message().isPresent()) {
                out.write(1);
                message(p.message().get());
            } else {
                out.write(0);
            }
        }

        void parameters(List<MimeParameter> params) {
            number(params.size());
            for (MimeParameter m : params) {
                str(m.name());
                str(m.value());
            }
        }

        void opt(Optional<String> s) {
            if (s.isEmpty()) {
                number(0);
            } else {
                bytes(s.get(), 1);
            }
        }

        void str(String s) {
            bytes(s, 0);
        }

        private void bytes(String s, int bias) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            number(b.length + (long) bias);
            out.write(b, 0, b.length);
        }

        /** Unsigned LEB128. */
        void number(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }
    }

    private static final class Reader {
        final byte[] b;
        int pos;

        Reader(byte[] b) {
            this.b = b;
        }

        MessageStructure message(int depth) {
            if (depth > MAX_DEPTH) {
                throw new IllegalArgumentException("structure record nested too deep");
            }
            Optional<String> date = opt();
            Optional<String> subject = opt();
            List<EnvelopeAddress> from = addresses(number());
            List<EnvelopeAddress> sender = sameOrAddresses(from);
            List<EnvelopeAddress> replyTo = sameOrAddresses(from);
            List<EnvelopeAddress> to = addresses(number());
            List<EnvelopeAddress> cc = addresses(number());
            List<EnvelopeAddress> bcc = addresses(number());
            Optional<String> inReplyTo = opt();
            Optional<String> messageId = opt();
            EnvelopeFields envelope = new EnvelopeFields(date, subject, from, sender, replyTo, to, cc, bcc, inReplyTo,
                    messageId);
            return new MessageStructure(envelope, entity(depth));
        }

        List<EnvelopeAddress> sameOrAddresses(List<EnvelopeAddress> from) {
            long n = number();
            return n == 0 ? from : addresses(n - 1);
        }

        List<EnvelopeAddress> addresses(long n) {
            List<EnvelopeAddress> list = new ArrayList<>(count(n));
            for (long i = 0; i < n; i++) {
                list.add(new EnvelopeAddress(opt(), opt(), opt(), opt()));
            }
            return list;
        }

        BodyPart entity(int depth) {
            if (depth > MAX_DEPTH) {
                throw new IllegalArgumentException("structure record nested too deep");
            }
            String type = str();
            String subtype = str();
            List<MimeParameter> parameters = parameters();
            Optional<String> id = opt();
            Optional<String> description = opt();
            String encoding = str();
            Optional<String> md5 = opt();
            Optional<ContentDisposition> disposition = number() == 0 ? Optional.empty()
                    : Optional.of(new ContentDisposition(str(), parameters()));
            long languages = number();
            List<String> language = new ArrayList<>(count(languages));
            for (long i = 0; i < languages; i++) {
                language.add(str());
            }
            Optional<String> location = opt();
            long headerStart = number();
            long bodyStart = Math.addExact(headerStart, number());
            long end = Math.addExact(bodyStart, number());
            long lines = number();
            long n = number();
            List<BodyPart> parts = new ArrayList<>(count(n));
            for (long i = 0; i < n; i++) {
                parts.add(entity(depth + 1));
            }
            int hasMessage = b(pos++);
            Optional<MessageStructure> message = switch (hasMessage) {
                case 0 -> Optional.empty();
                case 1 -> Optional.of(message(depth + 1));
                default -> throw new IllegalArgumentException("bad message marker " + hasMessage);
            };
            return new BodyPart(type, subtype, parameters, id, description, encoding, md5, disposition, language,
                    location, headerStart, bodyStart, end, lines, parts, message);
        }

        List<MimeParameter> parameters() {
            long n = number();
            List<MimeParameter> list = new ArrayList<>(count(n));
            for (long i = 0; i < n; i++) {
                list.add(new MimeParameter(str(), str()));
            }
            return list;
        }

        Optional<String> opt() {
            long n = number();
            return n == 0 ? Optional.empty() : Optional.of(string(n - 1));
        }

        String str() {
            return string(number());
        }

        private String string(long length) {
            if (length > b.length - pos) {
                throw new IllegalArgumentException("string beyond the record");
            }
            String s = new String(b, pos, (int) length, StandardCharsets.UTF_8);
            pos += (int) length;
            return s;
        }

        long number() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int x = b(pos++);
                v |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    if (v < 0) {
                        throw new IllegalArgumentException("number out of range");
                    }
                    return v;
                }
            }
            throw new IllegalArgumentException("number too long");
        }

        /** A list size no larger than the octets left could hold: damage cannot make us allocate much. */
        private int count(long n) {
            if (n > b.length - pos) {
                throw new IllegalArgumentException("list longer than the record");
            }
            return (int) n;
        }

        private int b(int at) {
            if (at >= b.length) {
                throw new IllegalArgumentException("record ends early");
            }
            return b[at] & 0xff;
        }
    }
}
