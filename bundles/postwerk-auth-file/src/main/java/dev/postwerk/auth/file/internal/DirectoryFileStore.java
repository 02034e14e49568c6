package dev.postwerk.auth.file.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Reads and rewrites the directory file. A rewrite is atomic (temporary file in the same folder,
 * fsync, rename, fsync of the folder), so a crash leaves the old or the new file, never half of
 * one. Edits are read-modify-write under a lock (a monitor in this JVM and an OS lock on a
 * {@code .lock} file beside it), starting from the file on disk, so an edit made by another
 * command or by hand in the meantime is never lost.
 */
final class DirectoryFileStore {

    /** What identifies one version of the file on disk; compared to notice hand edits. */
    record Stamp(Instant modified, long size, Object fileKey) {
        static final Stamp MISSING = new Stamp(Instant.EPOCH, -1, "missing");
    }

    /** One version of the file: its lines and the stamp they were read at. */
    record Snapshot(List<DirectoryFile.Line> lines, Stamp stamp) {
    }

    /**
     * One monitor per file for the whole JVM: OS file locks are held per JVM (a second
     * {@code lock()} on the same file in the same JVM throws), so two stores on one file, e.g.
     * while a component is being reconfigured, must first queue here.
     */
    private static final ConcurrentHashMap<Path, Object> MONITORS = new ConcurrentHashMap<>();

    private final Path file;
    private final Object monitor;

    DirectoryFileStore(Path file) {
        this.file = Objects.requireNonNull(file).toAbsolutePath().normalize();
        this.monitor = MONITORS.computeIfAbsent(this.file, f -> new Object());
    }

    Path file() {
        return file;
    }

    Stamp stamp() throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(a.lastModifiedTime().toInstant(), a.size(), a.fileKey() == null ? "" : a.fileKey());
        } catch (NoSuchFileException e) {
            return Stamp.MISSING;
        }
    }

    /** The file as it is now; a missing file reads as empty. */
    Snapshot read() throws IOException {
        // stamp first: if the file changes while we read, the next check sees a newer stamp and reloads
        Stamp stamp = stamp();
        if (stamp == Stamp.MISSING) {
            return new Snapshot(List.of(), stamp);
        }
        try {
            String content = Files.readString(file, StandardCharsets.UTF_8);
            return new Snapshot(DirectoryFile.parse(content), stamp);
        } catch (NoSuchFileException e) {
            return new Snapshot(List.of(), Stamp.MISSING);
        }
    }

    /**
     * Applies {@code change} to the current file content and writes the result atomically.
     * {@code change} may throw to abort; nothing is written then.
     */
    Snapshot edit(UnaryOperator<List<DirectoryFile.Line>> change) throws IOException {
        synchronized (monitor) {
            Files.createDirectories(file.getParent());
            Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
            try (FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
                    FileLock lock = lockChannel.lock()) {
                List<DirectoryFile.Line> updated = change.apply(read().lines());
                write(DirectoryFile.format(updated));
                return new Snapshot(List.copyOf(updated), stamp());
            }
        }
    }

    private void write(String content) throws IOException {
        Path dir = file.getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            try {
                // password hashes inside: readable by the server's user only
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system (Windows): rely on the folder's permissions
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = StandardCharsets.UTF_8.encode(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            forceDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The rename is durable only once the folder is synced (Linux); elsewhere this may not be possible. */
    private static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Windows cannot open a folder as a channel; the rename is as durable as it gets there
        }
    }
}
