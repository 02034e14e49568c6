package dev.postwerk.queue.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where the octets of a committed message are: its own file {@code msg/<id>}, or a slice of a
 * journal generation (a message small enough to be written inline with its {@code Committed}
 * record, so that one fsync of the journal covers it and a batch of others; see {@link Spool}).
 * Both open at offset 0 of the message; the caller limits the stream to the message's size.
 */
sealed interface SpoolData {

    InputStream open() throws IOException;

    /** The message's own file. */
    record OwnFile(Path file) implements SpoolData {
        @Override
        public InputStream open() throws IOException {
            return Files.newInputStream(file);
        }
    }

    /** {@code offset} is where the message starts in the journal file. */
    record JournalSlice(Path journal, long offset) implements SpoolData {
        @Override
        public InputStream open() throws IOException {
            FileChannel ch = FileChannel.open(journal, StandardOpenOption.READ);
            try {
                ch.position(offset);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            return Channels.newInputStream(ch);
        }
    }
}
