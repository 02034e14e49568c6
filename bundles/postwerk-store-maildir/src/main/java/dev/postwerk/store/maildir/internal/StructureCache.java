package dev.postwerk.store.maildir.internal;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongPredicate;
import java.util.zip.CRC32;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.postwerk.api.mail.MessageContent;
import dev.postwerk.api.mail.MessageParser;
import dev.postwerk.api.mail.MessageStructure;
import dev.postwerk.api.store.StoreException;
import dev.postwerk.api.store.StoreException.Reason;

/**
 * The parsed structures (ENVELOPE, BODYSTRUCTURE, part offsets) of one folder's messages, kept in
 * a file next to the UID list, in the spirit of Dovecot's {@code dovecot.index.cache}: a message
 * file never changes, so its structure is parsed once and then read from here, also after a
 * restart.
 *
 * <p>On disk ({@value #FILE}): a header (magic {@code PWSC}, format version, the folder's
 * UIDVALIDITY), then one record per message, appended as messages are first asked for:
 * {@code int length, long uid, length octets of StructureCodec, int CRC-32 of uid and octets}.
 * Records are only ever appended; a record whose UID was expunged is skipped when the file is
 * read, and when such garbage outnumbers the live records the file is rewritten with the live
 * ones only. A record cut short by a crash, or damaged, ends the readable part: it and what
 * follows are dropped and parsed again when asked for. Another UIDVALIDITY, magic or version
 * means the file belongs to other UIDs or another format: it is started anew.
 *
 * <p>Nothing here is forced to disk: it is a cache, and a record lost in a crash only costs a
 * parse the next time. In memory the records stay encoded (130 to 600 octets each instead of a few
 * kilobytes of objects) and are decoded on each call, which takes microseconds.
 *
 * <p>Thread-safe. When called with the folder's lock held, that lock is taken first; parsing runs
 * outside both.
 */
final class StructureCache {

    static final String FILE = "postwerk-structure";
    private static final int MAGIC = 0x50575343; // "PWSC"
    /** Raise when {@link StructureCodec} or the parser's meaning changes: old files are then rebuilt. */
    static final int VERSION = 1;
    private static final int HEADER = 4 + 4 + 8;
    /** A record longer than this is damage, not a structure. */
    private static final int MAX_RECORD = 16 * 1024 * 1024;
    /** Garbage records tolerated before a rewrite is considered at all. */
    private static final int MIN_GARBAGE = 256;

    private static final Logger LOG = LoggerFactory.getLogger(StructureCache.class);

    private final Path file;

    // Guarded by this.
    private boolean loaded;
    private long uidValidity;
    private final Map<Long, byte[]> records = new HashMap<>();
    /** Records in the file that no longer count (expunged, repeated). */
    private long garbage;
    /** After a write failure the file is left alone until the next load; memory still serves. */
    private boolean writeFailed;

    StructureCache(Path folder) {
        this.file = folder.resolve(FILE);
    }

    /**
     * The cached structure of a message of a folder with that UIDVALIDITY, reading the file on
     * first use. {@code live} tells which UIDs still exist (records of others are skipped).
     */
    synchronized Optional<MessageStructure> cached(long uidValidity, long uid, LongPredicate live) {
        load(uidValidity, live);
        byte[] record = records.get(uid);
        if (record == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(StructureCodec.decode(record));
        } catch (RuntimeException e) {
            LOG.warn("{}: damaged structure record of UID {}, parsing again: {}", file, uid, e.toString());
            records.remove(uid);
            garbage++;
            return Optional.empty();
        }
    }

    /**
     * Parses a message (outside any lock) and keeps the result. When two callers parse the same
     * message at once, both results are equal and the record is written once.
     *
     * @throws StoreException {@code UNAVAILABLE} without a parser or when the message cannot be read
     */
    MessageStructure parse(long uidValidity, long uid, MessageContent content, MessageParser parser)
            throws StoreException {
        if (parser == null) {
            throw new StoreException(Reason.UNAVAILABLE, "no MessageParser service to read the structure of UID " + uid);
        }
        MessageStructure structure;
        try {
            structure = parser.parse(content);
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: cannot parse UID {}: {}", file.getParent(), uid, e.toString());
            throw new StoreException(Reason.UNAVAILABLE, "cannot read the structure of UID " + uid, e);
        }
        byte[] record = StructureCodec.encode(structure);
        synchronized (this) {
            if (loaded && this.uidValidity == uidValidity && !records.containsKey(uid)) {
                records.put(uid, record);
                append(uid, record);
                compactIfMostlyGarbage();
            }
        }
        return structure;
    }

    /** Messages expunged: their records become garbage. Called with the folder's lock held. */
    synchronized void forget(Collection<Long> uids) {
        for (long uid : uids) {
            if (records.remove(uid) != null) {
                garbage++;
            }
        }
    }

    synchronized int size() {
        return records.size();
    }

    // ------------------------------------------------------------------ file

    private void load(long currentUidValidity, LongPredicate live) {
        if (loaded && uidValidity == currentUidValidity) {
            return;
        }
        boolean reload = loaded;
        loaded = true;
        uidValidity = currentUidValidity;
        records.clear();
        garbage = 0;
        writeFailed = false;
        if (reload) {
            start(); // the folder's UIDs were reassigned while we ran: nothing cached applies
            return;
        }
        long good;
        try (InputStream raw = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 64 * 1024))) {
            long size = Files.size(file);
            if (size < HEADER || in.readInt() != MAGIC || in.readInt() != VERSION || in.readLong() != currentUidValidity) {
                LOG.info("{}: other format or UIDVALIDITY, starting anew", file);
                start();
                return;
            }
            good = HEADER;
            CRC32 crc = new CRC32();
            byte[] uidBytes = new byte[8];
            while (good < size) {
                int length;
                long uid;
                byte[] record;
                int sum;
                try {
                    length = in.readInt();
                    if (length < 0 || length > MAX_RECORD || good + 4 + 8 + length + 4 > size) {
                        break; // torn by a crash, or damaged
                    }
                    uid = in.readLong();
                    record = new byte[length];
                    in.readFully(record);
                    sum = in.readInt();
                } catch (EOFException e) {
                    break;
                }
                crc.reset();
                ByteBuffer.wrap(uidBytes).putLong(uid);
                crc.update(uidBytes);
                crc.update(record);
                if ((int) crc.getValue() != sum) {
                    break;
                }
                good += 4 + 8 + length + 4;
                if (!live.test(uid) || records.put(uid, record) != null) {
                    garbage++; // expunged (skipped), or written twice (the later copy counts)
                }
            }
            if (good < size) {
                LOG.info("{}: dropping {} octets after the last whole record (a crash during a write?)", file,
                        size - good);
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.truncate(good); // so that the next record starts where a reader expects one
                }
            }
        } catch (NoSuchFileException e) {
            start();
            return;
        } catch (IOException e) {
            LOG.warn("{}: cannot read ({}); starting anew", file, e.toString());
            start();
            return;
        }
        compactIfMostlyGarbage();
    }

    /** A new, empty file for the current UIDVALIDITY. */
    private void start() {
        records.clear();
        garbage = 0;
        rewrite();
    }

    private void append(long uid, byte[] record) {
        if (writeFailed) {
            return;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            write(ch, uid, record);
            // No force(): a cache. A crash loses at most some records, which are parsed again.
        } catch (IOException e) {
            failed(e);
        }
    }

    private void compactIfMostlyGarbage() {
        if (garbage >= MIN_GARBAGE && garbage > records.size()) {
            LOG.debug("{}: rewriting {} records without {} expunged", file, records.size(), garbage);
            rewrite();
        }
    }

    /**
     * Writes the header and every live record to a new file and renames it into place, so a
     * reader never sees half a rewrite. Not forced to disk (a cache).
     */
    private void rewrite() {
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer header = ByteBuffer.allocate(HEADER).putInt(MAGIC).putInt(VERSION).putLong(uidValidity);
                header.flip();
                writeFully(ch, header);
                for (Map.Entry<Long, byte[]> r : records.entrySet()) {
                    write(ch, r.getKey(), r.getValue());
                }
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            garbage = 0;
            writeFailed = false;
        } catch (IOException e) {
            failed(e);
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // nothing more to do about a cache
            }
        }
    }

    private static void write(FileChannel ch, long uid, byte[] record) throws IOException {
        CRC32 crc = new CRC32();
        ByteBuffer b = ByteBuffer.allocate(4 + 8 + record.length + 4);
        b.putInt(record.length).putLong(uid);
        crc.update(b.array(), 4, 8);
        crc.update(record);
        b.put(record).putInt((int) crc.getValue());
        b.flip();
        writeFully(ch, b);
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private void failed(IOException e) {
        if (!writeFailed) {
            LOG.warn("{}: cannot write the structure cache ({}); structures are parsed again after a restart", file,
                    e.toString());
        }
        writeFailed = true;
    }
}
