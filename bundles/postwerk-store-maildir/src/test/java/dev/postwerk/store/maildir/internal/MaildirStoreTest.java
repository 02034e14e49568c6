package dev.postwerk.store.maildir.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.postwerk.api.mail.MessageContent;
import dev.postwerk.api.mail.MessageParser;
import dev.postwerk.api.mail.MessageStructure;
import dev.postwerk.api.store.Flags;
import dev.postwerk.api.store.Flags.Flag;
import dev.postwerk.api.store.Mailbox;
import dev.postwerk.api.store.Mailbox.FlagChange;
import dev.postwerk.api.store.MailboxEvent;
import dev.postwerk.api.store.MailboxInfo;
import dev.postwerk.api.store.MailboxStatus;
import dev.postwerk.api.store.MailboxStore;
import dev.postwerk.api.store.MessageInfo;
import dev.postwerk.api.store.SpecialUse;
import dev.postwerk.api.store.StoreException;
import dev.postwerk.api.store.UserMailboxes;
import dev.postwerk.mime.internal.MimeMessageParser;
import dev.postwerk.testkit.store.MailboxStoreContract;

/** The shared store contract, plus what is particular to Maildir: files other software reads and writes. */
class MaildirStoreTest extends MailboxStoreContract {

    @TempDir
    Path data;

    private final AtomicInteger stores = new AtomicInteger();

    @Override
    protected MailboxStore newStore(OptionalLong storageLimit, OptionalLong messageLimit) {
        return new MaildirStore(MaildirSettings.of(data.resolve("store" + stores.incrementAndGet()), storageLimit,
                messageLimit));
    }

    @Override
    protected Optional<MessageParser> messageParser() {
        return Optional.of(new MimeMessageParser());
    }

    @Override
    protected void bindParser(MailboxStore on, Optional<MessageParser> parser) {
        ((MaildirStore) on).parser(parser.orElse(null));
    }

    /** A second store instance over the tree of the first, as after a restart. */
    private MaildirStore reopen() {
        return new MaildirStore(((MaildirStore) store).settings());
    }

    private Path aliceTree() {
        return ((MaildirStore) store).settings().root().resolve("example.com").resolve("alice");
    }

    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    // ---------------------------------------------------------------- layout

    @Test
    void userTreeHasMaildirPlusPlusLayout() throws Exception {
        alice.create("Work/2026", Set.of());
        alice.create("Entwürfe", Set.of());
        alice.create("v1.2 & more", Set.of());
        Path tree = aliceTree();

        for (String dir : List.of("", ".Drafts", ".Sent", ".Junk", ".Trash", ".Archive", ".Work", ".Work.2026",
                ".Entw&APw-rfe", ".v1&AC4-2 &- more")) {
            for (String sub : List.of("cur", "new", "tmp")) {
                assertTrue(Files.isDirectory(tree.resolve(dir).resolve(sub)), dir + "/" + sub);
            }
            if (!dir.isEmpty()) {
                assertTrue(Files.exists(tree.resolve(dir).resolve("maildirfolder")), dir);
            }
        }
    }

    @Test
    void flagsAreWrittenInTheInfoSuffixAndSizeInTheName() throws Exception {
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        MessageInfo plain = append(inbox, "plain");
        MessageInfo seen = inbox.append(message("seen"), Flags.of(Flag.SEEN, Flag.ANSWERED), Optional.empty());
        Path tree = aliceTree();

        List<String> fresh = files(tree.resolve("new"));
        assertEquals(1, fresh.size());
        assertFalse(fresh.get(0).contains(":"), "a message without flags stays in new/ without info");
        assertTrue(fresh.get(0).endsWith(",S=" + plain.size()));
        List<String> cur = files(tree.resolve("cur"));
        assertEquals(1, cur.size());
        assertTrue(cur.get(0).endsWith(",S=" + seen.size() + ":2,RS"), cur.get(0));

        inbox.updateFlags(List.of(plain.uid(), seen.uid()), FlagChange.ADD, Flags.of(Flag.FLAGGED, Flag.DELETED),
                OptionalLong.empty());

        assertTrue(files(tree.resolve("new")).isEmpty());
        List<String> suffixes = files(tree.resolve("cur")).stream().map(n -> n.substring(n.indexOf(":2,")))
                .sorted().collect(Collectors.toList());
        assertEquals(List.of(":2,FRST", ":2,FT"), suffixes);
    }

    @Test
    void pythonMailboxModuleReadsTheSameMessagesAndFlags() throws Exception {
        Optional<Path> python = onPath("python3");
        assumeTrue(python.isPresent(), "python3 is not installed");
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        List<String> expected = new ArrayList<>();
        MessageInfo a = append(inbox, "a");
        MessageInfo b = inbox.append(message("b"), Flags.of(Flag.SEEN, Flag.FLAGGED), Optional.empty());
        MessageInfo c = inbox.append(message("c"), Flags.of(Flag.DRAFT), Optional.empty());
        inbox.updateFlags(List.of(c.uid()), FlagChange.ADD, Flags.of(Flag.ANSWERED), OptionalLong.empty());
        alice.create("Work/2026", Set.of());
        Mailbox work = alice.mailbox("Work/2026");
        MessageInfo d = work.append(message("d", "Grüße\r\n"), Flags.of(Flag.SEEN), Optional.empty());
        expected.add("INBOX  " + sha256(inbox.content(a.uid())));
        expected.add("INBOX FS " + sha256(inbox.content(b.uid())));
        expected.add("INBOX DR " + sha256(inbox.content(c.uid())));
        expected.add("Work.2026 S " + sha256(work.content(d.uid())));

        String script = String.join("\n", "import hashlib, mailbox, sys",
                "md = mailbox.Maildir(sys.argv[1], factory=None, create=False)",
                "def dump(box, name):",
                "    for key in box.keys():",
                "        print(name, box.get_message(key).get_flags(), hashlib.sha256(box.get_bytes(key)).hexdigest())",
                "dump(md, 'INBOX')",
                "for f in md.list_folders():",
                "    dump(md.get_folder(f), f)",
                "print('FOLDERS', ' '.join(sorted(md.list_folders())))");
        Process p = new ProcessBuilder(python.get().toString(), "-c", script, aliceTree().toString())
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python3 did not finish");
        assertEquals(0, p.exitValue(), out);

        List<String> lines = out.lines().filter(l -> l.startsWith("INBOX") || l.startsWith("Work.2026")).sorted()
                .collect(Collectors.toList());
        assertEquals(expected.stream().sorted().collect(Collectors.toList()), lines);
        assertTrue(out.contains("FOLDERS Archive Drafts Junk Sent Trash Work Work.2026\n"), out);
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static String sha256(MessageContent content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytesOf(content)));
    }

    // ---------------------------------------------------------------- migration in

    @Test
    void dovecotMaildirIsPickedUpWithItsUids() throws Exception {
        Path tree = ((MaildirStore) store).settings().root().resolve("example.com").resolve("carol");
        byte[] first = "Subject: one\r\n\r\nfirst\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] second = "Subject: two\n\nsecond, with bare LF\n".getBytes(StandardCharsets.US_ASCII);
        byte[] third = "Subject: three\r\n\r\nthird\r\n".getBytes(StandardCharsets.US_ASCII);
        String firstName = "1700000000.M1P100.mail.example.com,S=" + first.length + ",W=" + first.length;
        String secondName = "1700000100.M2P100.mail.example.com";
        Instant firstDate = Instant.parse("2023-11-14T22:13:20Z");
        write(tree.resolve("cur").resolve(firstName + ":2,S"), first, firstDate);
        write(tree.resolve("new").resolve(secondName), second, Instant.parse("2023-11-14T22:15:00Z"));
        Files.createDirectories(tree.resolve("tmp"));
        Files.writeString(tree.resolve("dovecot-uidlist"),
                "3 V1700000000 N10 Gf0e1d2c3b4a5968700001234abcd\n5 W23 :" + firstName + "\n7 :" + secondName + "\n");
        write(tree.resolve(".Lists.Java").resolve("cur").resolve("1700000200.M3P100.host:2,FRac"), third, firstDate);
        Files.writeString(tree.resolve(".Lists.Java").resolve("dovecot-keywords"), "0 $Forwarded\n2 Work\n");
        Files.createDirectories(tree.resolve(".Lists.Java").resolve("new"));
        Files.createDirectories(tree.resolve(".Lists.Java").resolve("tmp"));
        for (String folder : List.of(".&AMQ-rger", ".Sent")) {
            for (String sub : List.of("cur", "new", "tmp")) {
                Files.createDirectories(tree.resolve(folder).resolve(sub));
            }
        }

        UserMailboxes carol = session(store, "carol@example.com");

        Mailbox inbox = carol.mailbox(MailboxStore.INBOX);
        MailboxStatus status = inbox.status();
        assertEquals(1700000000L, status.uidValidity());
        assertTrue(status.uidNext() >= 10);
        List<MessageInfo> messages = inbox.messages();
        assertEquals(List.of(5L, 7L), messages.stream().map(MessageInfo::uid).collect(Collectors.toList()));
        assertEquals(Flags.of(Flag.SEEN), messages.get(0).flags());
        assertEquals(Flags.NONE, messages.get(1).flags());
        assertEquals(firstDate, messages.get(0).internalDate());
        assertArrayEquals(first, bytesOf(inbox.content(5)));
        assertArrayEquals(second, bytesOf(inbox.content(7)));
        assertEquals(second.length, messages.get(1).size());

        List<MailboxInfo> list = carol.list();
        List<String> names = list.stream().map(MailboxInfo::name).collect(Collectors.toList());
        assertEquals(List.of("INBOX", "Lists/Java", "Sent", "Ärger"), names);
        assertEquals(Set.of(SpecialUse.SENT), list.get(2).specialUse(), "special use by the configured name");
        MessageInfo java = carol.mailbox("Lists/Java").messages().get(0);
        assertEquals(new Flags(EnumSet.of(Flag.FLAGGED, Flag.ANSWERED), Set.of("$Forwarded", "Work")), java.flags());
        assertArrayEquals(third, bytesOf(carol.mailbox("Lists/Java").content(java.uid())));

        assertTrue(append(inbox, "after migration").uid() >= 10);
    }

    private static void write(Path file, byte[] bytes, Instant mtime) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
        Files.setLastModifiedTime(file, FileTime.from(mtime));
    }

    // ---------------------------------------------------------------- restart and crash

    @Test
    void reopenedStoreKeepsUidsFlagsKeywordsAndModSeqs() throws Exception {
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        append(inbox, "a");
        MessageInfo b = inbox.append(message("b"), new Flags(EnumSet.of(Flag.DELETED), Set.of("$Junk")),
                Optional.empty());
        MessageInfo c = inbox.append(message("c"), new Flags(EnumSet.of(Flag.SEEN), Set.of("Work", "100% done")),
                Optional.of(Instant.parse("2020-01-02T03:04:05Z")));
        long beforeExpunge = inbox.status().highestModSeq();
        inbox.expunge(Optional.empty());
        alice.setSubscribed("Sent", true);
        List<MessageInfo> before = inbox.messages();
        MailboxStatus statusBefore = inbox.status();

        UserMailboxes again = session(reopen(), ALICE);
        Mailbox reopened = again.mailbox(MailboxStore.INBOX);

        assertEquals(before, reopened.messages());
        assertEquals(statusBefore, reopened.status());
        assertEquals(Optional.of(List.of(b.uid())), reopened.expungedSince(beforeExpunge));
        assertEquals(Set.of("Sent"), again.subscriptions());
        assertTrue(append(reopened, "d").uid() > c.uid());
    }

    @Test
    void crashLeftoversAreIgnoredAndUnindexedMessagesArePickedUp() throws Exception {
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        MessageInfo a = append(inbox, "a");
        Path tree = aliceTree();
        // Killed while writing a delivery to tmp/, while replacing the UID list, and after a
        // rename into new/ but before the UID list was written.
        Files.writeString(tree.resolve("tmp").resolve("1764000000.M1P1Q1.host"), "Subject: half");
        Files.writeString(tree.resolve(UidList.FILE + ".tmp"), "postwerk-uidlist 1\nuidvalidity 12");
        byte[] orphan = "Subject: renamed before the crash\r\n\r\n!\r\n".getBytes(StandardCharsets.US_ASCII);
        Files.write(tree.resolve("new").resolve("1764000001.M2P1Q2.host,S=" + orphan.length), orphan);

        Mailbox reopened = session(reopen(), ALICE).mailbox(MailboxStore.INBOX);

        List<MessageInfo> messages = reopened.messages();
        assertEquals(2, messages.size(), messages::toString);
        assertEquals(a, messages.get(0));
        assertTrue(messages.get(1).uid() > a.uid());
        assertArrayEquals(orphan, bytesOf(reopened.content(messages.get(1).uid())));
        assertFalse(Files.exists(tree.resolve(UidList.FILE + ".tmp")));
        assertEquals(inbox.status().uidValidity(), reopened.status().uidValidity());
    }

    @Test
    void uidListLineTornByACrashIsDroppedAndTheLogGoesOn() throws Exception {
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        append(inbox, "a");
        MessageInfo b = inbox.append(message("b"), new Flags(Set.of(), Set.of("kept")), Optional.empty());
        List<MessageInfo> before = inbox.messages();
        Path uidList = aliceTree().resolve(UidList.FILE);
        Files.writeString(uidList, "m 99 7 12 1764000000 - new/1764", java.nio.file.StandardOpenOption.APPEND);

        Mailbox reopened = session(reopen(), ALICE).mailbox(MailboxStore.INBOX);

        assertEquals(before, reopened.messages());
        assertTrue(Files.readString(uidList).endsWith("\n"), "torn line cut off");
        MessageInfo c = append(reopened, "c");
        assertTrue(c.uid() > b.uid());
        assertEquals(3, session(reopen(), ALICE).mailbox(MailboxStore.INBOX).messages().size());
    }

    @Test
    void longLogIsCompactedIntoASnapshot() throws Exception {
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        long uid = append(inbox, "a").uid();
        for (int i = 0; i < 1100; i++) {
            inbox.updateFlags(List.of(uid), i % 2 == 0 ? FlagChange.ADD : FlagChange.REMOVE,
                    new Flags(Set.of(), Set.of("toggle")), OptionalLong.empty());
        }
        MessageInfo now = inbox.message(uid).orElseThrow();

        List<String> lines = Files.readAllLines(aliceTree().resolve(UidList.FILE));
        assertTrue(lines.size() < 200, "compacted: " + lines.size() + " lines");
        assertEquals(now, session(reopen(), ALICE).mailbox(MailboxStore.INBOX).message(uid).orElseThrow());
    }

    @Test
    void damagedUidListIsRebuiltWithNewUidValidity() throws Exception {
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        append(inbox, "a");
        append(inbox, "b");
        long validity = inbox.status().uidValidity();
        Files.writeString(aliceTree().resolve(UidList.FILE), "postwerk-uidlist 1\nuidvalidity x\nm 1 2\n");

        Mailbox reopened = session(reopen(), ALICE).mailbox(MailboxStore.INBOX);

        assertEquals(2, reopened.messages().size());
        // RFC 3501 §2.3.1.1: UIDs given anew need a new UIDVALIDITY.
        assertNotEquals(validity, reopened.status().uidValidity());
    }

    // ---------------------------------------------------------------- other programs

    @Test
    void changesByOtherProgramsAreSeenOnNextAccess() throws Exception {
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        Recorder recorder = new Recorder();
        inbox.addListener(recorder);
        Path tree = aliceTree();
        // Old directory times let the store trust its scan, so only a real change triggers the next.
        FileTime old = FileTime.from(Instant.now().minusSeconds(3600));
        Files.setLastModifiedTime(tree.resolve("new"), old);
        Files.setLastModifiedTime(tree.resolve("cur"), old);
        assertTrue(inbox.messages().isEmpty());

        // A delivery agent writes to tmp/ and renames into new/.
        byte[] bytes = "Subject: from procmail\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII);
        Path tmp = tree.resolve("tmp").resolve("1764000002.M3P7.otherhost");
        Files.write(tmp, bytes);
        Files.move(tmp, tree.resolve("new").resolve("1764000002.M3P7.otherhost"), StandardCopyOption.ATOMIC_MOVE);

        List<MessageInfo> messages = inbox.messages();
        assertEquals(1, messages.size());
        long uid = messages.get(0).uid();
        assertInstanceOf(MailboxEvent.Appended.class, recorder.events.get(0));

        // A mail reader marks it seen.
        Files.move(tree.resolve("new").resolve("1764000002.M3P7.otherhost"),
                tree.resolve("cur").resolve("1764000002.M3P7.otherhost:2,S"));
        assertEquals(Flags.of(Flag.SEEN), inbox.message(uid).orElseThrow().flags());
        MailboxEvent.FlagsChanged changed = assertInstanceOf(MailboxEvent.FlagsChanged.class, recorder.events.get(1));
        assertTrue(changed.message().flags().contains(Flag.SEEN));

        // And deletes it.
        Files.delete(tree.resolve("cur").resolve("1764000002.M3P7.otherhost:2,S"));
        assertTrue(inbox.messages().isEmpty());
        MailboxEvent.Expunged expunged = assertInstanceOf(MailboxEvent.Expunged.class, recorder.events.get(2));
        assertEquals(List.of(uid), expunged.uids());
    }

    @Test
    void stoppedStoreAnswersUnavailableToSessionsStillOpen() throws Exception {
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        append(inbox, "before");

        ((MaildirStore) store).deactivate();

        for (Executable call : List.<Executable>of(() -> append(inbox, "after"), inbox::messages, alice::list,
                () -> store.open(ALICE))) {
            StoreException e = org.junit.jupiter.api.Assertions.assertThrows(StoreException.class, call::run);
            assertEquals(StoreException.Reason.UNAVAILABLE, e.reason());
        }
        assertEquals(1, session(reopen(), ALICE).mailbox(MailboxStore.INBOX).messages().size());
    }

    @FunctionalInterface
    private interface Executable {
        void run() throws Exception;
    }

    @Test
    void ownDeliveryDoesNotHideAFlagChangeByAnotherProgram() throws Exception {
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        MessageInfo read = inbox.append(message("read"), Flags.of(Flag.SEEN), Optional.empty());
        Path tree = aliceTree();
        FileTime old = FileTime.from(Instant.now().minusSeconds(3600));
        Files.setLastModifiedTime(tree.resolve("new"), old);
        Files.setLastModifiedTime(tree.resolve("cur"), old);
        inbox.messages(); // both directories listed and trusted now

        append(inbox, "delivered"); // lists only new/ next time
        String file = files(tree.resolve("cur")).get(0);
        Files.move(tree.resolve("cur").resolve(file), tree.resolve("cur").resolve(file.replace(":2,S", ":2,FS")));

        assertEquals(Flags.of(Flag.SEEN, Flag.FLAGGED), inbox.message(read.uid()).orElseThrow().flags());
        assertEquals(2, inbox.messages().size());
    }

    @Test
    void userNamesCannotLeaveTheDataFolder() throws Exception {
        Path root = ((MaildirStore) store).settings().root();
        session(store, "../../etc@example.com");
        session(store, "mallory@../..");
        session(store, ".hidden");

        try (Stream<Path> all = Files.walk(root.getParent())) {
            List<Path> outside = all.filter(p -> !p.startsWith(root) && !p.equals(root.getParent()))
                    .filter(p -> !p.getFileName().toString().startsWith("store")).collect(Collectors.toList());
            assertTrue(outside.isEmpty(), outside::toString);
        }
        assertTrue(Files.isDirectory(root.resolve("example.com").resolve("%2E.%2F..%2Fetc")));
        assertTrue(Files.isDirectory(root.resolve(MaildirNames.NO_DOMAIN).resolve("%2Ehidden")));
    }

    @Test
    void perUserQuotaFromTheDirectoryOverridesTheStoreDefault() throws Exception {
        MaildirStore store = (MaildirStore) newStore(OptionalLong.empty(), OptionalLong.empty());
        dev.postwerk.api.directory.Principal alice = new dev.postwerk.api.directory.Principal("alice@example.test",
                java.util.List.of(), false, OptionalLong.of(100), OptionalLong.empty());
        store.directory((dev.postwerk.api.directory.UserDirectory) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {dev.postwerk.api.directory.UserDirectory.class},
                (proxy, method, args) -> method.getName().equals("findUser")
                        ? java.util.Optional.ofNullable(args[0].equals("alice@example.test") ? alice : null)
                        : null));
        byte[] big = ("Subject: x\r\n\r\n" + "y".repeat(200) + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (dev.postwerk.api.store.UserMailboxes mail = store.open("alice@example.test")) {
            assertEquals(OptionalLong.of(100), mail.quota().storageLimit());
            dev.postwerk.api.store.StoreException e = org.junit.jupiter.api.Assertions.assertThrows(
                    dev.postwerk.api.store.StoreException.class, () -> mail.mailbox("INBOX").append(
                            dev.postwerk.api.mail.MessageContent.ofBytes(big), dev.postwerk.api.store.Flags.NONE,
                            java.util.Optional.empty()));
            assertEquals(dev.postwerk.api.store.StoreException.Reason.OVER_QUOTA, e.reason());
        }
        try (dev.postwerk.api.store.UserMailboxes mail = store.open("bob@example.test")) {
            assertEquals(OptionalLong.empty(), mail.quota().storageLimit());
            mail.mailbox("INBOX").append(dev.postwerk.api.mail.MessageContent.ofBytes(big),
                    dev.postwerk.api.store.Flags.NONE, java.util.Optional.empty());
        }
    }

    // ---------------------------------------------------------------- counters and group commit

    /** STATUS reads running counters; they must equal a full recount after every kind of change. */
    @Test
    void statusCountersMatchARecountAfterFlagsExpungeAndForeignFiles() throws Exception {
        try (UserMailboxes mail = store.open("alice@example.com")) {
            Mailbox inbox = mail.mailbox(MailboxStore.INBOX);
            List<Long> uids = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                uids.add(inbox.append(MessageContent.ofBytes(("Subject: " + i + "\r\n\r\n" + "x".repeat(i * 10) + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII)), i % 2 == 0 ? Flags.NONE : Flags.of(Flag.SEEN),
                        Optional.empty()).uid());
            }
            assertStatusIsARecount(inbox);
            inbox.updateFlags(uids.subList(0, 3), FlagChange.ADD, Flags.of(Flag.SEEN, Flag.DELETED), OptionalLong.empty());
            assertStatusIsARecount(inbox);
            inbox.updateFlags(uids.subList(1, 2), FlagChange.REMOVE, Flags.of(Flag.SEEN), OptionalLong.empty());
            assertStatusIsARecount(inbox);
            inbox.expunge(Optional.empty());
            assertStatusIsARecount(inbox);
            // another program delivers one unseen and one seen message
            Path tree = aliceTree();
            Files.writeString(tree.resolve("new").resolve("1700000000.foreign1.host"), "Subject: f\r\n\r\nbody\r\n");
            Files.writeString(tree.resolve("cur").resolve("1700000000.foreign2.host:2,S"), "Subject: g\r\n\r\nbody two\r\n");
            Files.setLastModifiedTime(tree.resolve("new"), FileTime.from(Instant.now().plusSeconds(5)));
            Files.setLastModifiedTime(tree.resolve("cur"), FileTime.from(Instant.now().plusSeconds(5)));
            assertStatusIsARecount(inbox);
            assertEquals(5, inbox.status().messages());
        }
        try (UserMailboxes mail = reopen().open("alice@example.com")) {
            assertStatusIsARecount(mail.mailbox(MailboxStore.INBOX));
        }
    }

    private static void assertStatusIsARecount(Mailbox box) throws StoreException {
        List<MessageInfo> all = box.messages();
        MailboxStatus st = box.status();
        assertEquals(all.size(), st.messages(), "messages");
        assertEquals(all.stream().filter(m -> !m.flags().system().contains(Flag.SEEN)).count(), st.unseen(), "unseen");
        assertEquals(all.stream().mapToLong(MessageInfo::size).sum(), st.size(), "size");
    }

    /**
     * Appends to one folder from many threads join group commits; each still gets its own UID,
     * all are durable (found by a fresh store), and the quota reservation lets exactly as many
     * through as fit even though the writes run outside the quota lock.
     */
    @Test
    void concurrentAppendsToOneFolderAreGroupedYetExactAndWithinQuota() throws Exception {
        byte[] msg = "Subject: q\r\n\r\n0123456789\r\n".getBytes(StandardCharsets.US_ASCII);
        int fit = 25;
        MaildirStore limited = (MaildirStore) newStore(OptionalLong.empty(), OptionalLong.of(fit));
        int threads = 8;
        int each = 10;
        AtomicInteger refused = new AtomicInteger();
        List<Long> got = java.util.Collections.synchronizedList(new ArrayList<>());
        try (UserMailboxes mail = limited.open("alice@example.com")) {
            Mailbox inbox = mail.mailbox(MailboxStore.INBOX);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < each; i++) {
                        try {
                            got.add(inbox.append(MessageContent.ofBytes(msg), Flags.NONE, Optional.empty()).uid());
                        } catch (StoreException e) {
                            assertEquals(StoreException.Reason.OVER_QUOTA, e.reason());
                            refused.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (java.util.concurrent.Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertEquals(fit, got.size(), "exactly the quota's worth is stored");
            assertEquals(threads * each - fit, refused.get());
            assertEquals(fit, got.stream().distinct().count(), "no UID given twice");
        }
        try (UserMailboxes mail = new MaildirStore(limited.settings()).open("alice@example.com")) {
            List<Long> onDisk = mail.mailbox(MailboxStore.INBOX).messages().stream().map(MessageInfo::uid).toList();
            assertEquals(got.stream().sorted().toList(), onDisk);
        }
    }

    // ---------------------------------------------------------------- structure cache

    /** The real parser, counting the messages it parses. */
    private static final class CountingParser implements MessageParser {
        final AtomicInteger parsed = new AtomicInteger();
        private final MessageParser real = new MimeMessageParser();

        @Override
        public MessageStructure parse(InputStream raw) throws IOException {
            parsed.incrementAndGet();
            return real.parse(raw);
        }
    }

    private MaildirStore reopenWith(MessageParser parser) {
        MaildirStore s = reopen();
        s.parser(parser);
        return s;
    }

    private List<MessageStructure> structures(Mailbox box, List<Long> uids) throws StoreException {
        List<MessageStructure> list = new ArrayList<>();
        for (long uid : uids) {
            list.add(box.structure(uid));
        }
        return list;
    }

    private List<Long> appendMany(Mailbox box, int n) throws StoreException {
        List<Long> uids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            uids.add(box.append(MessageContent.ofBytes(("Subject: m" + i + "\r\nContent-Type: multipart/mixed; boundary=b\r\n"
                    + "\r\n--b\r\nContent-Type: text/plain\r\n\r\nbody " + i + "\r\n--b--\r\n")
                    .getBytes(StandardCharsets.US_ASCII)), Flags.NONE, Optional.empty()).uid());
        }
        return uids;
    }

    private Path structureFile() {
        return aliceTree().resolve(StructureCache.FILE);
    }

    @Test
    void structureCacheSurvivesARestartWithoutParsingAgain() throws Exception {
        CountingParser counting = new CountingParser();
        ((MaildirStore) store).parser(counting);
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        List<Long> uids = appendMany(inbox, 5);
        assertEquals(0, counting.parsed.get(), "nothing is parsed before it is asked for");
        List<MessageStructure> first = structures(inbox, uids);
        assertEquals(5, counting.parsed.get());
        assertEquals(first, structures(inbox, uids));
        assertEquals(5, counting.parsed.get(), "asked again: from the cache");
        assertTrue(Files.size(structureFile()) > 16, "written next to the UID list");

        CountingParser afterRestart = new CountingParser();
        Mailbox reopened = session(reopenWith(afterRestart), ALICE).mailbox(MailboxStore.INBOX);
        assertEquals(first, structures(reopened, uids));
        assertEquals(0, afterRestart.parsed.get(), "read from the file, not parsed");

        Mailbox withoutParser = session(reopenWith(null), ALICE).mailbox(MailboxStore.INBOX);
        assertEquals(first, structures(withoutParser, uids), "cached structures need no parser");
    }

    @Test
    void structureCacheCutByACrashKeepsItsWholeRecords() throws Exception {
        ((MaildirStore) store).parser(new MimeMessageParser());
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        List<Long> uids = appendMany(inbox, 4);
        List<MessageStructure> first = structures(inbox, uids);
        long size = Files.size(structureFile());
        try (var ch = java.nio.channels.FileChannel.open(structureFile(), java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(size - 7); // the last record torn
        }

        CountingParser counting = new CountingParser();
        Mailbox reopened = session(reopenWith(counting), ALICE).mailbox(MailboxStore.INBOX);
        assertEquals(first, structures(reopened, uids));
        assertEquals(1, counting.parsed.get(), "only the torn record's message is parsed again");

        CountingParser again = new CountingParser();
        assertEquals(first, structures(session(reopenWith(again), ALICE).mailbox(MailboxStore.INBOX), uids));
        assertEquals(0, again.parsed.get(), "the file is whole again");
    }

    @Test
    void damagedStructureRecordEndsTheReadablePartNotTheStore() throws Exception {
        ((MaildirStore) store).parser(new MimeMessageParser());
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        List<Long> uids = appendMany(inbox, 4);
        List<MessageStructure> first = structures(inbox, uids);
        byte[] file = Files.readAllBytes(structureFile());
        file[file.length / 2] ^= 0x55; // a flipped octet somewhere in the second or third record
        Files.write(structureFile(), file);

        CountingParser counting = new CountingParser();
        assertEquals(first, structures(session(reopenWith(counting), ALICE).mailbox(MailboxStore.INBOX), uids));
        assertTrue(counting.parsed.get() >= 2 && counting.parsed.get() <= 3, "from the damage on: " + counting.parsed);

        Files.writeString(structureFile(), "not a structure cache at all");
        CountingParser fresh = new CountingParser();
        assertEquals(first, structures(session(reopenWith(fresh), ALICE).mailbox(MailboxStore.INBOX), uids));
        assertEquals(4, fresh.parsed.get(), "an unknown file is started anew");
    }

    @Test
    void expungedMessagesLeaveTheStructureCache() throws Exception {
        ((MaildirStore) store).parser(new MimeMessageParser());
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        List<Long> uids = appendMany(inbox, 300);
        structures(inbox, uids);
        long full = Files.size(structureFile());
        List<Long> gone = uids.subList(0, 270);
        inbox.updateFlags(gone, FlagChange.ADD, Flags.of(Flag.DELETED), OptionalLong.empty());
        inbox.expunge(Optional.empty());
        List<Long> kept = uids.subList(270, 300);
        List<MessageStructure> keptStructures = structures(inbox, kept);

        CountingParser counting = new CountingParser();
        Mailbox reopened = session(reopenWith(counting), ALICE).mailbox(MailboxStore.INBOX);
        assertEquals(keptStructures, structures(reopened, kept));
        assertEquals(0, counting.parsed.get());
        long compacted = Files.size(structureFile());
        assertTrue(compacted < full / 5, "rewritten without the expunged: " + compacted + " of " + full);
        for (long uid : gone) {
            assertThrows(StoreException.class, () -> reopened.structure(uid));
        }
    }

    @Test
    void newUidValidityStartsTheStructureCacheAnew() throws Exception {
        ((MaildirStore) store).parser(new MimeMessageParser());
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        List<Long> uids = appendMany(inbox, 3);
        structures(inbox, uids);
        Files.writeString(aliceTree().resolve(UidList.FILE), "postwerk-uidlist 1\nuidvalidity x\nm 1 2\n");

        CountingParser counting = new CountingParser();
        Mailbox reopened = session(reopenWith(counting), ALICE).mailbox(MailboxStore.INBOX);
        List<MessageInfo> messages = reopened.messages();
        assertEquals(3, messages.size());
        for (MessageInfo m : messages) {
            String subject = reopened.structure(m.uid()).envelope().subject().orElseThrow();
            assertTrue(new String(bytesOf(reopened.content(m.uid())), StandardCharsets.US_ASCII)
                    .startsWith("Subject: " + subject + "\r\n"), "the structure of this UID's message");
        }
        assertEquals(3, counting.parsed.get(), "UIDs given anew: nothing cached applies");
        java.nio.ByteBuffer header = java.nio.ByteBuffer.wrap(Files.readAllBytes(structureFile()));
        header.getInt();
        assertEquals(StructureCache.VERSION, header.getInt());
        assertEquals(reopened.status().uidValidity(), header.getLong());
    }

    /** An admin (or a script) removes a user's whole Maildir while the server runs: delivery goes on. */
    @Test
    void appendRecreatesAnInboxWhoseMaildirAnotherProgramRemoved() throws Exception {
        try (UserMailboxes mail = store.open("alice@example.com")) {
            Mailbox inbox = mail.mailbox(MailboxStore.INBOX);
            inbox.append(MessageContent.ofBytes("Subject: before\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII)),
                    Flags.NONE, Optional.empty());
            try (Stream<Path> walk = Files.walk(aliceTree())) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            assertFalse(Files.exists(aliceTree()));
            MessageInfo after = inbox.append(MessageContent.ofBytes("Subject: after\r\n\r\ny\r\n"
                    .getBytes(StandardCharsets.US_ASCII)), Flags.NONE, Optional.empty());
            List<MessageInfo> now = inbox.messages();
            assertEquals(1, now.size(), now::toString);
            assertEquals(after.uid(), now.get(0).uid());
        }
    }
}
