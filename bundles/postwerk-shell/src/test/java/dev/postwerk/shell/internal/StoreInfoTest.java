package dev.postwerk.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.postwerk.api.mail.MessageContent;
import dev.postwerk.api.store.Flags;
import dev.postwerk.api.store.UserMailboxes;
import dev.postwerk.store.memory.internal.MemoryMailboxStore;

class StoreInfoTest {

    private static String run(StoreInfo command) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            command.execute();
        } finally {
            System.setOut(original);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void showsAUsersFoldersWithCountsAndQuota() throws Exception {
        MemoryMailboxStore store = new MemoryMailboxStore();
        try (UserMailboxes mail = store.open("alice@example.test")) {
            mail.mailbox("INBOX").append(MessageContent.ofBytes("Subject: a\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII)),
                    Flags.NONE, Optional.empty());
        }
        StoreInfo command = new StoreInfo();
        command.store = store;
        command.user = "alice@example.test";
        String out = run(command);
        assertTrue(out.matches("(?s).*INBOX\\s+\\|\\s+1\\s+\\|\\s+1\\s+\\|\\s+21 B.*"), out);
        assertTrue(out.contains("\\Junk"), out);
        assertTrue(out.contains("Quota: 21 B of unlimited, 1 of unlimited messages"), out);
    }

    @Test
    void humanSizes() {
        assertEquals("1023 B", StoreInfo.human(1023));
        assertEquals("1.5 KiB", StoreInfo.human(1536));
        assertEquals("2.0 GiB", StoreInfo.human(2L << 30));
    }
}
