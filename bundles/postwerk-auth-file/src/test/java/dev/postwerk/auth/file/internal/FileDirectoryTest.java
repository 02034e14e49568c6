package dev.postwerk.auth.file.internal;

import dev.postwerk.testkit.time.MutableClock;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import dev.postwerk.api.directory.AliasEntry;
import dev.postwerk.api.directory.AuthResult;
import dev.postwerk.api.directory.DirectoryException;
import dev.postwerk.api.directory.Principal;
import dev.postwerk.api.directory.ScramCredential;
import dev.postwerk.api.directory.UserEntry;
import dev.postwerk.api.mail.MailAddress;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileDirectoryTest {

    @TempDir
    Path dir;

    Path file;
    MutableClock clock = new MutableClock();
    FileDirectory directory;

    @BeforeEach
    void setUp() throws IOException {
        file = dir.resolve("postwerk-users.conf");
        directory = open(AddressRules.DEFAULT, PasswordHasherTest.FAST);
    }

    FileDirectory open(AddressRules rules, HashSettings hashing) throws IOException {
        FileDirectory d = new FileDirectory(clock, new SecureRandom());
        d.configure(new FileDirectory.Settings(file, rules, hashing, Duration.ofSeconds(1)));
        return d;
    }

    void write(String content) throws IOException {
        Files.writeString(file, content, StandardCharsets.UTF_8);
        clock.advance(Duration.ofSeconds(2));
        directory.checkFileNow();
    }

    /** Waits, bounded, for a lookup to see what an edit on disk changed (checked off the lookup's thread). */
    static void eventually(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what);
            Thread.sleep(10);
        }
    }

    String content() throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    static char[] pw(String s) {
        return s.toCharArray();
    }

    // ---- users and passwords

    @Test
    void addedUserLogsInWithItsPasswordOnly() throws Exception {
        directory.addDomain("Example.com");
        directory.addUser(UserEntry.of("Alice@example.com"), pw("s3cret"));
        AuthResult ok = directory.verifyPassword("alice@EXAMPLE.com", pw("s3cret"));
        assertEquals(AuthResult.Outcome.SUCCESS, ok.outcome());
        assertEquals("Alice@example.com", ok.principal().orElseThrow().name());
        assertEquals(AuthResult.Outcome.INVALID_CREDENTIALS, directory.verifyPassword("alice@example.com", pw("S3cret")).outcome());
        assertEquals(AuthResult.Outcome.INVALID_CREDENTIALS, directory.verifyPassword("nobody@example.com", pw("s3cret")).outcome());
        assertFalse(content().contains("s3cret"), "no plaintext in the file");
        assertTrue(content().contains("password={ARGON2ID}$argon2id$"));
    }

    @Test
    void disabledUserIsToldSoOnlyWithTheRightPassword() throws Exception {
        write("domain example.com\nuser bob@example.com disabled\n");
        directory.setPassword("bob@example.com", pw("pw"));
        assertEquals(AuthResult.Outcome.INVALID_CREDENTIALS, directory.verifyPassword("bob@example.com", pw("no")).outcome());
        assertEquals(AuthResult.Outcome.DISABLED, directory.verifyPassword("bob@example.com", pw("pw")).outcome());
        assertTrue(directory.scramCredential("bob@example.com", "SHA-256").isEmpty());
    }

    @Test
    void legacySha512CryptIsRehashedToTheDefaultSchemeOnSuccessfulLogin() throws Exception {
        write("domain example.com\n# migrated from Dovecot\nuser carol@example.com password={SHA512-CRYPT}"
                + "$6$rounds=5000$Zp7sBCt4kLzVnRWJ$OxtZLZqtFpxXbblilFhqkaq.JH.oMPrIFVk9RVPQ71U9PtbnsovxFHjKI3GZqfH5KFAVTnBkOblyHAmqL6euI."
                + " quota=1G\n");
        assertEquals(AuthResult.Outcome.INVALID_CREDENTIALS, directory.verifyPassword("carol@example.com", pw("wrong")).outcome());
        assertTrue(content().contains("{SHA512-CRYPT}"), "a failed login changes nothing");
        assertEquals(AuthResult.Outcome.SUCCESS, directory.verifyPassword("carol@example.com", pw("pencil")).outcome());
        String after = content();
        assertFalse(after.contains("{SHA512-CRYPT}"));
        assertTrue(after.contains("user carol@example.com password={ARGON2ID}"), after);
        assertTrue(after.contains("scram-sha-256=4096,"));
        assertTrue(after.contains("quota=1073741824"));
        assertTrue(after.contains("# migrated from Dovecot"));
        assertEquals("ARGON2ID", directory.user("carol@example.com").orElseThrow().passwordScheme());
        assertEquals(AuthResult.Outcome.SUCCESS, directory.verifyPassword("carol@example.com", pw("pencil")).outcome());
    }

    @Test
    void legacyBlfCryptIsRehashedToTheDefaultSchemeOnSuccessfulLogin() throws Exception {
        write("domain example.com\nuser dave@example.com password={BLF-CRYPT}$2y$05$abcdefghijklmnopqrstuu680Yiaj5hFUaJTH/rTAcbA2PQEGfiZu\n");
        assertEquals(AuthResult.Outcome.SUCCESS, directory.verifyPassword("dave@example.com", pw("pencil")).outcome());
        assertTrue(content().contains("{ARGON2ID}"));
        assertEquals(AuthResult.Outcome.SUCCESS, directory.verifyPassword("dave@example.com", pw("pencil")).outcome());
    }

    @Test
    void bcryptCanBeTheDefaultSchemeAndArgonIsThenMigratedToIt() throws Exception {
        directory.addDomain("example.com");
        directory.addUser(UserEntry.of("erin@example.com"), pw("pw"));
        FileDirectory bcrypt = open(AddressRules.DEFAULT, new HashSettings(PasswordScheme.BLF_CRYPT, 64, 1, 1, 4, 4096));
        assertEquals(AuthResult.Outcome.SUCCESS, bcrypt.verifyPassword("erin@example.com", pw("pw")).outcome());
        assertTrue(content().contains("password={BLF-CRYPT}$2y$04$"), content());
    }

    @Test
    void scramKeysAreStoredNextToTheHashAndMatchThePassword() throws Exception {
        directory.addDomain("example.com");
        directory.addUser(UserEntry.of("frank@example.com"), pw("pencil"));
        ScramCredential c = directory.scramCredential("FRANK@example.com", "sha-256").orElseThrow();
        ScramCredential expected = ScramKeys.derive(pw("pencil"), c.salt(), c.iterations());
        assertArrayEquals(expected.storedKey(), c.storedKey());
        assertArrayEquals(expected.serverKey(), c.serverKey());
        assertTrue(directory.scramCredential("frank@example.com", "SHA-1").isEmpty());
    }

    @Test
    void userSettingsAndPasswordChangesAreKept() throws Exception {
        directory.addDomain("example.com");
        directory.addUser(UserEntry.of("gina@example.com"), pw("one"));
        directory.updateUser(new UserEntry("gina@example.com", true, false, OptionalLong.of(5000), OptionalLong.of(10), ""));
        directory.setPassword("gina@example.com", pw("two"));
        Principal p = directory.verifyPassword("gina@example.com", pw("two")).principal().orElseThrow();
        assertTrue(p.master());
        assertEquals(5000, p.storageQuota().getAsLong());
        assertEquals(10, p.messageQuota().getAsLong());
        assertEquals(AuthResult.Outcome.INVALID_CREDENTIALS, directory.verifyPassword("gina@example.com", pw("one")).outcome());
    }

    @Test
    void adminRefusalsCarryAReason() throws Exception {
        directory.addDomain("example.com");
        assertReason(DirectoryException.Reason.ALREADY_EXISTS, () -> directory.addDomain("EXAMPLE.com"));
        assertReason(DirectoryException.Reason.INVALID, () -> directory.addUser(UserEntry.of("x@other.org"), pw("p")));
        assertReason(DirectoryException.Reason.INVALID, () -> directory.addUser(UserEntry.of("not an address"), pw("p")));
        assertReason(DirectoryException.Reason.INVALID, () -> directory.addUser(UserEntry.of("x@example.com"), pw("")));
        directory.addUser(UserEntry.of("x@example.com"), pw("p"));
        assertReason(DirectoryException.Reason.ALREADY_EXISTS, () -> directory.addUser(UserEntry.of("X@example.com"), pw("p")));
        assertReason(DirectoryException.Reason.CONFLICT, () -> directory.removeDomain("example.com"));
        assertReason(DirectoryException.Reason.NOT_FOUND, () -> directory.removeUser("y@example.com"));
        assertReason(DirectoryException.Reason.NOT_FOUND, () -> directory.removeAlias("y@example.com", List.of()));
        directory.removeUser("X@EXAMPLE.COM");
        directory.removeDomain("example.com");
        assertTrue(directory.domains().isEmpty());
    }

    interface Call {
        void run() throws DirectoryException;
    }

    static void assertReason(DirectoryException.Reason reason, Call call) {
        assertEquals(reason, assertThrows(DirectoryException.class, call::run).reason());
    }

    // ---- resolution

    @Test
    void aliasesExpandToLocalUsersAndRemoteAddressesRecursively() throws Exception {
        write("""
                domain example.com
                domain example.org
                user alice@example.com
                user bob@example.org
                alias team@example.com alice@example.com everyone@example.org carol@remote.example
                alias everyone@example.org bob@example.org alice@example.com
                alias loop1@example.com loop2@example.com
                alias loop2@example.com loop1@example.com alice@example.com
                """);
        var r = directory.resolve(MailAddress.parse("team@example.com"));
        assertEquals(List.of("alice@example.com", "bob@example.org"),
                r.local().stream().map(t -> t.user().name()).toList());
        assertEquals(List.of(MailAddress.parse("carol@remote.example")), r.remote());
        var loop = directory.resolve(MailAddress.parse("loop1@example.com"));
        assertEquals(1, loop.local().size(), "cycles end, each address once");
        assertTrue(directory.resolve(MailAddress.parse("nobody@example.com")).isUnknown());
        assertTrue(directory.resolve(MailAddress.parse("alice@elsewhere.example")).isUnknown());
        assertEquals(List.of("alice@example.com", "everyone@example.org", "loop2@example.com", "team@example.com"),
                directory.findUser("alice@example.com").orElseThrow().addresses().stream().map(Object::toString).toList(),
                "own address first, then the aliases that name it");
        assertTrue(directory.findUser("everyone@example.org").isEmpty(), "an alias of several users names no one");
        assertEquals("alice@example.com", directory.findUser("loop1@example.com").orElseThrow().name());
    }

    @Test
    void catchAllTakesWhatNoUserOrAliasTakes() throws Exception {
        write("""
                domain example.com
                user alice@example.com
                user postmaster@example.com
                alias @example.com postmaster@example.com
                """);
        assertEquals("postmaster@example.com",
                directory.resolve(MailAddress.parse("whatever@example.com")).local().get(0).user().name());
        assertEquals("alice@example.com",
                directory.resolve(MailAddress.parse("alice@example.com")).local().get(0).user().name());
    }

    @Test
    void plusAddressDeliversToTheUserWithTheTagAsDetail() throws Exception {
        write("""
                domain example.com
                user alice@example.com
                user bob+special@example.com
                alias sales@example.com alice@example.com
                """);
        var r = directory.resolve(MailAddress.parse("Alice+Lists@Example.COM"));
        assertEquals("alice@example.com", r.local().get(0).user().name());
        assertEquals(Optional.of("Lists"), r.local().get(0).detail());
        var viaAlias = directory.resolve(MailAddress.parse("sales+q3@example.com"));
        assertEquals(Optional.of("q3"), viaAlias.local().get(0).detail());
        var exact = directory.resolve(MailAddress.parse("bob+special@example.com"));
        assertEquals("bob+special@example.com", exact.local().get(0).user().name());
        assertEquals(Optional.empty(), exact.local().get(0).detail(), "an exact match wins over the tag rule");
        assertTrue(directory.resolve(MailAddress.parse("+tag@example.com")).isUnknown());
    }

    @Test
    void caseSensitiveLocalPartsWhenConfigured() throws Exception {
        write("domain example.com\nuser Alice@example.com\n");
        FileDirectory strict = open(new AddressRules(false, ""), PasswordHasherTest.FAST);
        assertFalse(strict.resolve(MailAddress.parse("Alice@EXAMPLE.com")).isUnknown(), "domains ignore case always");
        assertTrue(strict.resolve(MailAddress.parse("alice@example.com")).isUnknown());
        assertTrue(strict.resolve(MailAddress.parse("Alice+x@example.com")).isUnknown(), "no plus-addressing");
        assertFalse(directory.resolve(MailAddress.parse("alice@example.com")).isUnknown());
        assertTrue(directory.isLocalDomain("EXAMPLE.COM"));
    }

    // ---- the file

    @Test
    void handEditsAreSeenAfterTheCheckInterval() throws Exception {
        write("domain example.com\n");
        assertTrue(directory.isLocalDomain("example.com"));
        Files.writeString(file, "domain example.com\ndomain example.net\n");
        assertFalse(directory.isLocalDomain("example.net"), "not checked again within the interval");
        clock.advance(Duration.ofSeconds(1));
        // the first lookup past the interval starts the check; lookups never wait for the disk
        eventually("the edit is seen", () -> directory.isLocalDomain("example.net"));
    }

    @Test
    void aBrokenLineIsSkippedAndKeptWhileTheRestWorks() throws Exception {
        write("domain example.com\nuser broken@example.com mastr\nuser ok@example.com\n");
        assertTrue(directory.findUser("ok@example.com").isPresent());
        assertTrue(directory.findUser("broken@example.com").isEmpty());
        directory.addAlias(new AliasEntry("info@example.com", List.of(MailAddress.parse("ok@example.com"))));
        assertTrue(content().contains("user broken@example.com mastr\n"), "an admin's line is never dropped");
    }

    @Test
    void rewriteIsAtomicPrivateAndLeavesNoTemporaryFiles() throws Exception {
        write("# header comment\ndomain example.com\n\n# users below\n");
        directory.addUser(UserEntry.of("a@example.com"), pw("p"));
        directory.addDomain("example.org");
        assertEquals("# header comment\ndomain example.com\nuser a@example.com", content().lines().limit(3)
                .map(l -> l.startsWith("user ") ? l.substring(0, l.indexOf(" password")) : l)
                .reduce((x, y) -> x + "\n" + y).orElseThrow());
        assertTrue(content().endsWith("# users below\ndomain example.org\n"), content());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("postwerk-users.conf", "postwerk-users.conf.lock"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void anEditStartsFromTheFileOnDiskSoHandEditsAreNotLost() throws Exception {
        directory.addDomain("example.com");
        // an admin edits by hand; the cached index does not know yet (same check interval)
        Files.writeString(file, content() + "alias hand@example.com x@remote.example\n");
        directory.addDomain("example.org");
        assertTrue(content().contains("alias hand@example.com x@remote.example"));
        assertTrue(directory.aliases(Optional.empty()).stream().anyMatch(a -> a.source().equals("hand@example.com")));
    }

    @Test
    void concurrentEditsFromTwoDirectoriesOnOneFileAreAllKept() throws Exception {
        directory.addDomain("example.com");
        FileDirectory other = open(AddressRules.DEFAULT, PasswordHasherTest.FAST);
        int perThread = 15;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            FileDirectory d = t % 2 == 0 ? directory : other;
            int thread = t;
            futures.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < perThread; i++) {
                    d.addAlias(new AliasEntry("a" + thread + "-" + i + "@example.com",
                            List.of(MailAddress.parse("x@remote.example"))));
                    d.addAlias(new AliasEntry("shared@example.com",
                            List.of(MailAddress.parse("t" + thread + "-" + i + "@remote.example"))));
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        clock.advance(Duration.ofSeconds(2));
        eventually("the other directory's edits are seen",
                () -> directory.aliases(Optional.empty()).size() == 4 * perThread + 1);
        assertEquals(4 * perThread, directory.resolve(MailAddress.parse("shared@example.com")).remote().size());
    }

    @Test
    void aliasTargetsAreMergedAndRemovedOneByOne() throws Exception {
        directory.addDomain("example.com");
        MailAddress a = MailAddress.parse("a@remote.example");
        MailAddress b = MailAddress.parse("b@remote.example");
        directory.addAlias(new AliasEntry("list@example.com", List.of(a)));
        directory.addAlias(new AliasEntry("LIST@example.com", List.of(b, a)));
        assertEquals(List.of(a, b), directory.aliases(Optional.of("example.com")).get(0).targets());
        directory.removeAlias("list@example.com", List.of(a));
        assertEquals(List.of(b), directory.aliases(Optional.empty()).get(0).targets());
        directory.removeAlias("list@example.com", List.of(b));
        assertTrue(directory.aliases(Optional.empty()).isEmpty());
        directory.addAlias(new AliasEntry("@example.com", List.of(a)));
        assertTrue(directory.aliases(Optional.empty()).get(0).isCatchAll());
    }
}
