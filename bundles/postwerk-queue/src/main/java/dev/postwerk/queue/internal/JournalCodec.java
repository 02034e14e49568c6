package dev.postwerk.queue.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32C;

import dev.postwerk.api.filter.HeaderField;
import dev.postwerk.api.filter.Verdict;
import dev.postwerk.api.mail.Envelope;
import dev.postwerk.api.mail.MailAddress;
import dev.postwerk.api.mail.Origin;
import dev.postwerk.api.mail.Recipient;
import dev.postwerk.queue.internal.JournalRecord.Committed;
import dev.postwerk.queue.internal.JournalRecord.Deferred;
import dev.postwerk.queue.internal.JournalRecord.DelayNotified;
import dev.postwerk.queue.internal.JournalRecord.InFlight;
import dev.postwerk.queue.internal.JournalRecord.RecipientDone;
import dev.postwerk.queue.internal.JournalRecord.Removed;
import dev.postwerk.queue.internal.JournalRecord.TargetDone;

/**
 * Binary form of journal records. A frame is {@code length (int32) | CRC-32C (int32) | payload}; a
 * frame whose length or checksum does not match is a torn write at the end of the journal (the
 * process died while appending) and ends the replay: such a record was never acknowledged, since
 * nothing waits less than the {@code force} after the write.
 */
final class JournalCodec {

    /** Journal file header: magic and format version. */
    static final int MAGIC = 0x50574a31; // "PWJ1"
    /** A sanity bound on a frame's length field (inline messages and big envelopes fit well below). */
    static final int MAX_FRAME = 16 << 20;
    private static final int MAX_TEXT = 2000;

    private static final byte COMMITTED = 1;
    private static final byte IN_FLIGHT = 2;
    private static final byte TARGET_DONE = 3;
    private static final byte RECIPIENT_DONE = 4;
    private static final byte DEFERRED = 5;
    private static final byte REMOVED = 6;
    /** A {@code Committed} record followed by the message octets: {@code int length | octets}. */
    private static final byte COMMITTED_INLINE = 7;
    private static final byte DELAY_NOTIFIED = 8;
    /** {@code COMMITTED} / {@code COMMITTED_INLINE} with records about other messages (a bounce's). */
    private static final byte COMMITTED_ALONG = 9;
    private static final byte COMMITTED_INLINE_ALONG = 10;
    private static final int MAX_ALONGSIDE = 100_000;

    private JournalCodec() {
    }

    static ByteBuffer frame(JournalRecord record) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(0);
            out.writeInt(0);
            write(record, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return seal(bytes.toByteArray());
    }

    /** Fills in the frame's length and checksum (its first 8 octets) over the payload after them. */
    private static ByteBuffer seal(byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b);
        CRC32C crc = new CRC32C();
        crc.update(b, 8, b.length - 8);
        buf.putInt(0, b.length - 8);
        buf.putInt(4, (int) crc.getValue());
        return buf;
    }

    /**
     * A frame holding {@code c} and the first {@code length} octets of {@code content}, or empty when
     * it would exceed {@link #MAX_FRAME} (the caller then keeps the message in its own file). The
     * octets are the frame's last {@code length} octets.
     */
    static Optional<ByteBuffer> frameInline(Committed c, byte[] content, int length) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(length + 512);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(0);
            out.writeInt(0);
            out.writeByte(c.alongside().isEmpty() ? COMMITTED_INLINE : COMMITTED_INLINE_ALONG);
            writeCommittedFields(c, out);
            out.writeInt(length);
            out.write(content, 0, length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (bytes.size() - 8 > MAX_FRAME) {
            return Optional.empty();
        }
        return Optional.of(seal(bytes.toByteArray()));
    }

    /**
     * Reads the next record, or empty at the end of the valid journal (clean end or torn tail).
     * {@code consumed[0]} is advanced by the octets of each good frame, so the caller knows where
     * the valid part ends.
     */
    static Optional<JournalRecord> read(DataInputStream in, long[] consumed) throws IOException {
        int length;
        int crcValue;
        try {
            length = in.readInt();
            crcValue = in.readInt();
        } catch (EOFException e) {
            return Optional.empty();
        }
        if (length <= 0 || length > MAX_FRAME) {
            return Optional.empty();
        }
        byte[] payload = new byte[length];
        try {
            in.readFully(payload);
        } catch (EOFException e) {
            return Optional.empty();
        }
        CRC32C crc = new CRC32C();
        crc.update(payload, 0, length);
        if ((int) crc.getValue() != crcValue) {
            return Optional.empty();
        }
        long payloadStart = consumed[0] + 8;
        consumed[0] += 8 + length;
        ByteArrayInputStream bytes = new ByteArrayInputStream(payload);
        DataInputStream data = new DataInputStream(bytes);
        if (payload[0] == COMMITTED_INLINE || payload[0] == COMMITTED_INLINE_ALONG) {
            boolean along = data.readByte() == COMMITTED_INLINE_ALONG;
            Committed c = readCommittedFields(data, along);
            int contentLength = data.readInt();
            long offset = payloadStart + length - bytes.available();
            if (contentLength != bytes.available() || contentLength != c.size()) {
                throw new IOException("inline message " + c.queueId() + " has " + bytes.available()
                        + " octets where " + c.size() + " were recorded");
            }
            return Optional.of(c.withInlineOffset(offset));
        }
        return Optional.of(read(data));
    }

    private static void write(JournalRecord record, DataOutputStream out) throws IOException {
        if (record instanceof Committed c) {
            out.writeByte(c.alongside().isEmpty() ? COMMITTED : COMMITTED_ALONG);
            writeCommittedFields(c, out);
        } else if (record instanceof InFlight f) {
            out.writeByte(IN_FLIGHT);
            out.writeUTF(f.queueId());
            out.writeInt(f.recipient());
            out.writeUTF(f.target());
            out.writeUTF(f.folder());
            out.writeLong(f.uidNext());
            out.writeLong(f.expectedSize());
        } else if (record instanceof TargetDone t) {
            out.writeByte(TARGET_DONE);
            out.writeUTF(t.queueId());
            out.writeInt(t.recipient());
            out.writeUTF(t.target());
            out.writeBoolean(t.failed());
            out.writeUTF(t.status());
            out.writeUTF(clip(t.diagnostic()));
        } else if (record instanceof RecipientDone r) {
            out.writeByte(RECIPIENT_DONE);
            out.writeUTF(r.queueId());
            out.writeInt(r.recipient());
            out.writeBoolean(r.failed());
            out.writeUTF(r.status());
            out.writeUTF(clip(r.diagnostic()));
        } else if (record instanceof DelayNotified n) {
            out.writeByte(DELAY_NOTIFIED);
            out.writeUTF(n.queueId());
        } else if (record instanceof Deferred d) {
            out.writeByte(DEFERRED);
            out.writeUTF(d.queueId());
            out.writeInt(d.recipient());
            out.writeInt(d.attempts());
            out.writeUTF(clip(d.lastError()));
        } else if (record instanceof Removed r) {
            out.writeByte(REMOVED);
            out.writeUTF(r.queueId());
        }
    }

    private static JournalRecord read(DataInputStream in) throws IOException {
        byte type = in.readByte();
        return switch (type) {
            case COMMITTED -> readCommittedFields(in, false);
            case COMMITTED_ALONG -> readCommittedFields(in, true);
            case IN_FLIGHT -> new InFlight(in.readUTF(), in.readInt(), in.readUTF(), in.readUTF(), in.readLong(), in.readLong());
            case TARGET_DONE -> new TargetDone(in.readUTF(), in.readInt(), in.readUTF(), in.readBoolean(), in.readUTF(), in.readUTF());
            case RECIPIENT_DONE -> new RecipientDone(in.readUTF(), in.readInt(), in.readBoolean(), in.readUTF(), in.readUTF());
            case DEFERRED -> new Deferred(in.readUTF(), in.readInt(), in.readInt(), in.readUTF());
            case DELAY_NOTIFIED -> new DelayNotified(in.readUTF());
            case REMOVED -> new Removed(in.readUTF());
            default -> throw new IOException("unknown journal record type " + type);
        };
    }

    private static void writeCommittedFields(Committed c, DataOutputStream out) throws IOException {
        out.writeUTF(c.queueId());
        out.writeLong(c.arrived().toEpochMilli());
        out.writeLong(c.size());
        writeEnvelope(c.envelope(), out);
        writeChanges(c.dataChanges(), out);
        if (!c.alongside().isEmpty()) {
            out.writeInt(c.alongside().size());
            for (JournalRecord r : c.alongside()) {
                write(r, out);
            }
        }
    }

    private static Committed readCommittedFields(DataInputStream in, boolean along) throws IOException {
        Committed c = new Committed(in.readUTF(), Instant.ofEpochMilli(in.readLong()), in.readLong(), readEnvelope(in),
                readChanges(in));
        if (!along) {
            return c;
        }
        int n = in.readInt();
        if (n < 0 || n > MAX_ALONGSIDE) {
            throw new IOException("a commit carries " + n + " records");
        }
        List<JournalRecord> records = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            JournalRecord r = read(in);
            if (r instanceof Committed) {
                throw new IOException("a commit carries another commit");
            }
            records.add(r);
        }
        return c.withAlongside(records);
    }

    private static String clip(String s) {
        return s.length() > MAX_TEXT ? s.substring(0, MAX_TEXT) : s;
    }

    private static void writeEnvelope(Envelope e, DataOutputStream out) throws IOException {
        writeOptional(e.sender().map(MailAddress::toString), out);
        out.writeInt(e.parameters().size());
        for (Map.Entry<String, String> p : e.parameters().entrySet()) {
            out.writeUTF(p.getKey());
            out.writeUTF(p.getValue());
        }
        Origin o = e.origin();
        out.writeUTF(o.sessionId());
        out.writeUTF(o.listener());
        InetSocketAddress client = o.client();
        out.writeUTF(client.getAddress() != null ? client.getAddress().getHostAddress() : client.getHostString());
        out.writeInt(client.getPort());
        writeOptional(o.heloName(), out);
        writeOptional(o.authIdentity(), out);
        writeOptional(o.tls(), out);
        out.writeInt(e.recipients().size());
        for (Recipient r : e.recipients()) {
            out.writeUTF(r.address().toString());
            int bits = 0;
            for (Recipient.DsnNotify n : r.notifyOn()) {
                bits |= 1 << n.ordinal();
            }
            out.writeByte(bits);
            writeOptional(r.originalRecipient(), out);
        }
    }

    private static Envelope readEnvelope(DataInputStream in) throws IOException {
        Optional<MailAddress> sender = readOptional(in).map(MailAddress::parse);
        int n = in.readInt();
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            params.put(in.readUTF(), in.readUTF());
        }
        String sessionId = in.readUTF();
        String listener = in.readUTF();
        String host = in.readUTF();
        int port = in.readInt();
        InetSocketAddress client;
        try {
            // only IP literals are written, so this never asks DNS
            client = new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (IOException e) {
            client = InetSocketAddress.createUnresolved(host, port);
        }
        Origin origin = new Origin(sessionId, listener, client, readOptional(in), readOptional(in), readOptional(in));
        int count = in.readInt();
        List<Recipient> recipients = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            MailAddress address = MailAddress.parse(in.readUTF());
            int bits = in.readByte();
            Set<Recipient.DsnNotify> notify = EnumSet.noneOf(Recipient.DsnNotify.class);
            for (Recipient.DsnNotify d : Recipient.DsnNotify.values()) {
                if ((bits & (1 << d.ordinal())) != 0) {
                    notify.add(d);
                }
            }
            recipients.add(new Recipient(address, notify, readOptional(in)));
        }
        return new Envelope(sender, recipients, origin, params);
    }

    private static void writeChanges(Verdict.Changes c, DataOutputStream out) throws IOException {
        out.writeInt(c.addHeaders().size());
        for (HeaderField f : c.addHeaders()) {
            out.writeUTF(f.name());
            out.writeUTF(f.value());
        }
        out.writeInt(c.removeHeaders().size());
        for (String name : c.removeHeaders()) {
            out.writeUTF(name);
        }
        writeOptional(c.folder(), out);
        out.writeBoolean(c.dropRecipient());
    }

    private static Verdict.Changes readChanges(DataInputStream in) throws IOException {
        int n = in.readInt();
        List<HeaderField> add = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            add.add(new HeaderField(in.readUTF(), in.readUTF()));
        }
        int r = in.readInt();
        Set<String> remove = new LinkedHashSet<>();
        for (int i = 0; i < r; i++) {
            remove.add(in.readUTF());
        }
        Optional<String> folder = readOptional(in);
        boolean drop = in.readBoolean();
        if (add.isEmpty() && remove.isEmpty() && folder.isEmpty() && !drop) {
            return Verdict.Changes.NONE;
        }
        return new Verdict.Changes(add, remove, folder, drop);
    }

    private static void writeOptional(Optional<String> value, DataOutputStream out) throws IOException {
        out.writeBoolean(value.isPresent());
        if (value.isPresent()) {
            out.writeUTF(value.get());
        }
    }

    private static Optional<String> readOptional(DataInputStream in) throws IOException {
        return in.readBoolean() ? Optional.of(in.readUTF()) : Optional.empty();
    }

    /** Reads the 4-octet file header; false when the file is not a journal. */
    static boolean readHeader(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        try {
            return d.readInt() == MAGIC;
        } catch (EOFException e) {
            return false;
        }
    }
}
