package dev.postwerk.store.maildir.internal;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.postwerk.api.store.Flags.Flag;

/**
 * Maildir file names (https://cr.yp.to/proto/maildir.html and Courier's Maildir++ size suffix)
 * and the durable-write steps crash safety rests on.
 */
final class MaildirFiles {

    private static final Logger LOG = LoggerFactory.getLogger(MaildirFiles.class);

    /** The info part after the unique name: version 2, then flag letters in ASCII order. */
    static final String INFO = ":2,";

    private static final Map<Flag, Character> LETTERS = Map.of(Flag.DRAFT, 'D', Flag.FLAGGED, 'F', Flag.ANSWERED,
            'R', Flag.SEEN, 'S', Flag.DELETED, 'T');

    private static final AtomicLong DELIVERIES = new AtomicLong();
    private static final long PID = ProcessHandle.current().pid();
    private static final String HOST = hostName();

    private MaildirFiles() {
    }

    private static String hostName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        // The Maildir spec replaces "/" and ":" in the host part; "," would confuse ",S=" readers.
        return host.replace("/", "\\057").replace(":", "\\072").replace(",", "\\054");
    }

    /**
     * A name unique across processes and hosts: time, microseconds, process, a counter and random
     * bits, then the host, as the Maildir spec recommends.
     */
    static String uniqueName() {
        Instant now = Instant.now();
        return now.getEpochSecond() + ".M" + (now.getNano() / 1000) + "P" + PID + "Q" + DELIVERIES.incrementAndGet()
                + "R" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL) + "." + HOST;
    }

    /** The unique part of a file name: everything before the info separator. */
    static String baseName(String fileName) {
        int colon = fileName.indexOf(':');
        return colon < 0 ? fileName : fileName.substring(0, colon);
    }

    /** The letters after {@code :2,}, empty when the name has no version 2 info. */
    private static String letters(String fileName) {
        int info = fileName.indexOf(INFO);
        return info < 0 ? "" : fileName.substring(info + INFO.length());
    }

    /** Whether the info letters hold {@code letter} (cheaper than {@link #flagsOf} for one flag). */
    static boolean hasFlag(String fileName, char letter) {
        int info = fileName.indexOf(INFO);
        return info >= 0 && fileName.indexOf(letter, info + INFO.length()) >= 0;
    }

    /** System flags read from the info letters (D F R S T; P has no IMAP flag). */
    static Set<Flag> flagsOf(String fileName) {
        int info = fileName.indexOf(INFO);
        Set<Flag> flags = EnumSet.noneOf(Flag.class);
        if (info < 0) {
            return flags;
        }
        for (int i = info + INFO.length(); i < fileName.length(); i++) {
            switch (fileName.charAt(i)) {
                case 'D' -> flags.add(Flag.DRAFT);
                case 'F' -> flags.add(Flag.FLAGGED);
                case 'R' -> flags.add(Flag.ANSWERED);
                case 'S' -> flags.add(Flag.SEEN);
                case 'T' -> flags.add(Flag.DELETED);
                default -> { } // P (passed) has no IMAP flag; lower case are keywords
            }
        }
        return flags;
    }

    /** Lower-case info letters: Dovecot's keywords (see its dovecot-keywords file). */
    static String keywordLetters(String fileName) {
        StringBuilder b = new StringBuilder();
        for (char c : letters(fileName).toCharArray()) {
            if (c >= 'a' && c <= 'z') {
                b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * The file name with new system flags. Letters we do not map (P, and Dovecot's lower-case
     * keyword letters) are kept, so other software loses nothing.
     */
    static String withFlags(String fileName, Set<Flag> flags) {
        Set<Character> letters = new TreeSet<>();
        for (char c : letters(fileName).toCharArray()) {
            if (!LETTERS.containsValue(c)) {
                letters.add(c);
            }
        }
        for (Flag f : flags) {
            letters.add(LETTERS.get(f));
        }
        StringBuilder b = new StringBuilder(baseName(fileName)).append(INFO);
        letters.forEach(b::append);
        return b.toString();
    }

    /**
     * Copies a stream into a new file and forces it to disk before returning, so that the rename
     * into new/ or cur/ that follows never exposes a partial message after a crash.
     *
     * {@code mtime}, when given, is set before the fsync (so that it is durable with the content):
     * Dovecot and other tools read INTERNALDATE from it.
     *
     * @return the octets written
     */
    static long writeDurably(InputStream in, Path file, java.util.Optional<java.nio.file.attribute.FileTime> mtime)
            throws IOException {
        long total = 0;
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0;) {
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                while (bb.hasRemaining()) {
                    out.write(bb);
                }
                total += n;
            }
            if (mtime.isPresent()) {
                Files.setLastModifiedTime(file, mtime.get());
            }
            out.force(true);
        }
        return total;
    }

    /**
     * Replaces a small metadata file atomically: write a temporary sibling, force it, rename it over
     * the old one, force the directory. A crash leaves either the old or the new file, never a mix.
     */
    static void replaceAtomically(Path file, Content content) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            Writer w = new BufferedWriter(Channels.newWriter(ch, StandardCharsets.UTF_8), 64 * 1024);
            content.writeTo(w);
            w.flush();
            ch.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(file.getParent());
    }

    /** What {@link #replaceAtomically} writes. */
    @FunctionalInterface
    interface Content {
        void writeTo(Writer w) throws IOException;
    }

    /** Makes renames and deletions in a directory durable (fsync of the directory, as rename(2) needs). */
    static void forceDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            // Some platforms cannot open a directory for fsync; the rename is still atomic there.
            LOG.debug("cannot force directory {}: {}", dir, e.toString());
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
