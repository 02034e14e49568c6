package dev.postwerk.testkit.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.postwerk.api.mail.BodyPart;
import dev.postwerk.api.mail.EnvelopeAddress;
import dev.postwerk.api.mail.EnvelopeFields;
import dev.postwerk.api.mail.MessageContent;
import dev.postwerk.api.mail.MessageParser;
import dev.postwerk.api.mail.MessageStructure;
import dev.postwerk.api.mail.MimeParameter;
import dev.postwerk.api.store.CopyResult;
import dev.postwerk.api.store.FlagUpdate;
import dev.postwerk.api.store.Flags;
import dev.postwerk.api.store.Flags.Flag;
import dev.postwerk.api.store.Mailbox;
import dev.postwerk.api.store.Mailbox.FlagChange;
import dev.postwerk.api.store.MailboxEvent;
import dev.postwerk.api.store.MailboxInfo;
import dev.postwerk.api.store.MailboxStatus;
import dev.postwerk.api.store.MailboxStore;
import dev.postwerk.api.store.MessageInfo;
import dev.postwerk.api.store.QuotaUsage;
import dev.postwerk.api.store.SpecialUse;
import dev.postwerk.api.store.StoreException;
import dev.postwerk.api.store.StoreException.Reason;
import dev.postwerk.api.store.UserMailboxes;

/**
 * The behaviour every {@link MailboxStore} must show, as IMAP (RFC 3501, RFC 7162 CONDSTORE/QRESYNC,
 * RFC 6851 MOVE, RFC 6154 SPECIAL-USE, RFC 9208 QUOTA) and POP3 rely on it. An implementation's
 * test extends this class and supplies only {@link #newStore}; it may add tests of its own.
 *
 * <p>Where the SPI leaves a choice open, this contract fixes one so that stores are
 * interchangeable: no-op flag changes do not raise MODSEQ, INTERNALDATE has second precision,
 * deleting a folder leaves its sub-folders, and the special-use folders of a new user are
 * named Drafts, Sent, Junk, Trash and Archive (the defaults; stores may make them configurable).
 */
public abstract class MailboxStoreContract {

    protected static final String ALICE = "alice@example.com";
    protected static final String BOB = "bob@example.org";

    /** How long a test waits for a condition before failing; never a sleep. */
    private static final long WAIT_SECONDS = 30;

    /**
     * A new, empty store. Called once per test (and again by quota tests with limits). Limits apply
     * to every user of the store.
     *
     * @param storageLimit octets each user may use; empty for unlimited
     * @param messageLimit messages each user may keep; empty for unlimited
     */
    protected abstract MailboxStore newStore(OptionalLong storageLimit, OptionalLong messageLimit) throws Exception;

    /** Releases a store made by {@link #newStore}; stores that hold nothing need not override. */
    protected void disposeStore(MailboxStore store) throws Exception {
    }

    /**
     * The {@link MessageParser} the structure tests give the store (ours: postwerk-mime's).
     * Empty, the default, skips them: for stores that keep no structures.
     */
    protected Optional<MessageParser> messageParser() {
        return Optional.empty();
    }

    /**
     * Gives a store the parser service DS would bind to it, or takes it away (empty), as when the
     * bundle that registers it stops. Needed when {@link #messageParser} gives one.
     */
    protected void bindParser(MailboxStore on, Optional<MessageParser> parser) throws Exception {
        Assumptions.abort("the test does not say how to give the store a MessageParser");
    }

    protected MailboxStore store;
    protected UserMailboxes alice;
    private final List<MailboxStore> extraStores = new ArrayList<>();
    private final List<UserMailboxes> sessions = new ArrayList<>();

    @BeforeEach
    void openStore() throws Exception {
        store = newStore(OptionalLong.empty(), OptionalLong.empty());
        alice = session(store, ALICE);
    }

    @AfterEach
    void closeStore() throws Exception {
        for (UserMailboxes s : sessions) {
            s.close();
        }
        disposeStore(store);
        for (MailboxStore s : extraStores) {
            disposeStore(s);
        }
    }

    /** Opens a user on a store and closes it after the test. */
    protected UserMailboxes session(MailboxStore on, String user) throws StoreException {
        UserMailboxes s = on.open(user);
        sessions.add(s);
        return s;
    }

    private MailboxStore storeWithLimits(OptionalLong storage, OptionalLong messages) throws Exception {
        MailboxStore s = newStore(storage, messages);
        extraStores.add(s);
        return s;
    }

    // ---------------------------------------------------------------- helpers

    /** Content with CRLF line ends, as the SPI hands messages over. */
    protected static MessageContent message(String subject, String body) {
        String text = "From: carol@example.net\r\nTo: alice@example.com\r\nSubject: " + subject + "\r\n\r\n" + body
                + "\r\n";
        return MessageContent.ofBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    protected static MessageContent message(String subject) {
        return message(subject, "Hello.");
    }

    protected static byte[] bytesOf(MessageContent content) {
        try (InputStream in = content.openStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    protected static MessageInfo append(Mailbox box, String subject) throws StoreException {
        return box.append(message(subject), Flags.NONE, Optional.empty());
    }

    protected static Flags flags(Set<Flag> system, String... keywords) {
        return new Flags(system, Set.of(keywords));
    }

    private static List<Long> uids(Collection<MessageInfo> messages) {
        return messages.stream().map(MessageInfo::uid).collect(Collectors.toList());
    }

    private static void assertReason(Reason expected, Executable call) {
        StoreException e = assertThrows(StoreException.class, call::run);
        assertEquals(expected, e.reason(), () -> "reason of: " + e.getMessage());
    }

    @FunctionalInterface
    private interface Executable {
        void run() throws Throwable;
    }

    /** Listener that records events; tests read them without waiting because events are synchronous. */
    protected static final class Recorder implements dev.postwerk.api.store.MailboxListener {
        /** Every event received, in order. */
        public final List<MailboxEvent> events = new CopyOnWriteArrayList<>();

        public Recorder() {
        }

        @Override
        public void changed(MailboxEvent event) {
            events.add(event);
        }
    }

    // ---------------------------------------------------------------- append and fetch

    @Test
    void appendedContentIsReadBackByteExact() throws Exception {
        byte[] raw = new byte[512];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (byte) i; // every octet value, bare CR and LF included
        }
        byte[] header = "Subject: all octets\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[header.length + raw.length];
        System.arraycopy(header, 0, all, 0, header.length);
        System.arraycopy(raw, 0, all, header.length, raw.length);

        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        MessageInfo info = inbox.append(MessageContent.ofBytes(all), Flags.NONE, Optional.empty());

        assertEquals(all.length, info.size());
        MessageContent back = inbox.content(info.uid());
        assertEquals(all.length, back.size());
        assertArrayEquals(all, bytesOf(back));
        assertArrayEquals(all, bytesOf(back), "content can be read more than once");
    }

    @Test
    void largeMessageIsStreamedInAndOutIntact() throws Exception {
        long size = 3L * 1024 * 1024 + 17;
        MessageContent generated = new MessageContent() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public InputStream openStream() {
                return new InputStream() {
                    long pos;

                    @Override
                    public int read() {
                        return pos < size ? (int) ((pos++ * 31) % 251) : -1;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) {
                        if (pos >= size) {
                            return -1;
                        }
                        int n = (int) Math.min(len, size - pos);
                        for (int i = 0; i < n; i++) {
                            b[off + i] = (byte) read();
                        }
                        return n;
                    }
                };
            }
        };
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        MessageInfo info = inbox.append(generated, Flags.NONE, Optional.empty());

        assertEquals(size, info.size());
        assertArrayEquals(sha256(generated), sha256(inbox.content(info.uid())));
    }

    private static byte[] sha256(MessageContent content) throws IOException, NoSuchAlgorithmException {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = content.openStream()) {
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) > 0;) {
                digest.update(buf, 0, n);
            }
        }
        return digest.digest();
    }

    @Test
    void appendKeepsGivenFlagsAndInternalDate() throws Exception {
        Instant date = Instant.parse("2024-02-29T12:34:56Z");
        Flags given = flags(EnumSet.of(Flag.SEEN, Flag.FLAGGED), "$Forwarded");
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);

        MessageInfo info = inbox.append(message("dated"), given, Optional.of(date));

        assertEquals(given, info.flags());
        assertEquals(date, info.internalDate());
        assertEquals(info, inbox.message(info.uid()).orElseThrow());
    }

    @Test
    void appendWithoutDateUsesArrivalTimeToTheSecond() throws Exception {
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        MessageInfo info = append(alice.mailbox(MailboxStore.INBOX), "now");
        Instant after = Instant.now();

        assertFalse(info.internalDate().isBefore(before));
        assertFalse(info.internalDate().isAfter(after));
        assertEquals(0, info.internalDate().getNano(), "IMAP INTERNALDATE has second precision");
    }

    @Test
    void unknownUidIsAbsentAndItsContentNotFound() throws Exception {
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        MessageInfo info = append(inbox, "one");

        assertTrue(inbox.message(info.uid() + 1000).isEmpty());
        assertReason(Reason.NOT_FOUND, () -> inbox.content(info.uid() + 1000));
    }

    // ---------------------------------------------------------------- UIDs

    @Test
    void uidsAreStrictlyAscendingAndBelowUidNext() throws Exception {
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        long first = inbox.status().uidNext();
        List<Long> uids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            uids.add(append(inbox, "m" + i).uid());
        }

        assertTrue(uids.get(0) >= first, "first UID is at least the UIDNEXT announced before");
        for (int i = 1; i < uids.size(); i++) {
            assertTrue(uids.get(i) > uids.get(i - 1), "ascending: " + uids);
        }
        assertTrue(inbox.status().uidNext() > uids.get(4));
        assertEquals(uids, uids(inbox.messages()));
    }

    @Test
    void uidsAreNeverReusedAfterExpunge() throws Exception {
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        append(inbox, "a");
        MessageInfo last = append(inbox, "b");
        inbox.updateFlags(uids(inbox.messages()), FlagChange.ADD, Flags.of(Flag.DELETED), OptionalLong.empty());
        inbox.expunge(Optional.empty());
        assertTrue(inbox.messages().isEmpty());

        MessageInfo next = append(inbox, "c");

        assertTrue(next.uid() > last.uid(), "UID " + next.uid() + " after expunged " + last.uid());
    }

    @Test
    void uidValidityIsStableAndFitsThirtyTwoBits() throws Exception {
        long v1 = alice.mailbox(MailboxStore.INBOX).status().uidValidity();
        append(alice.mailbox(MailboxStore.INBOX), "x");
        UserMailboxes again = session(store, ALICE);
        long v2 = again.mailbox(MailboxStore.INBOX).status().uidValidity();

        assertEquals(v1, v2);
        assertTrue(v1 > 0 && v1 <= 0xFFFF_FFFFL, "RFC 3501 §9 nz-number: " + v1);
    }

    @Test
    void recreatedFolderGetsNewUidValidity() throws Exception {
        alice.create("Projects", Set.of());
        long before = alice.mailbox("Projects").status().uidValidity();
        alice.delete("Projects");
        alice.create("Projects", Set.of());

        // RFC 3501 §2.3.1.1: a new mailbox with the same name MUST get a different UIDVALIDITY.
        assertNotEquals(before, alice.mailbox("Projects").status().uidValidity());
    }

    @Test
    void statusCountsMessagesUnseenAndSize() throws Exception {
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        MessageInfo a = append(inbox, "a");
        MessageInfo b = inbox.append(message("b"), Flags.of(Flag.SEEN), Optional.empty());
        append(inbox, "c");

        MailboxStatus status = inbox.status();

        assertEquals(3, status.messages());
        assertEquals(2, status.unseen());
        assertEquals(a.size() + b.size() + inbox.messages().get(2).size(), status.size());
        assertEquals(inbox.messages().get(2).modSeq(), status.highestModSeq());
    }

    // ---------------------------------------------------------------- flags and MODSEQ

    @Test
    void flagsAreReplacedAddedAndRemoved() throws Exception {
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        long uid = append(inbox, "f").uid();
        List<Long> one = List.of(uid);

        inbox.updateFlags(one, FlagChange.ADD, flags(EnumSet.of(Flag.SEEN), "$Label1"), OptionalLong.empty());
        assertEquals(flags(EnumSet.of(Flag.SEEN), "$Label1"), inbox.message(uid).orElseThrow().flags());

        inbox.updateFlags(one, FlagChange.ADD, flags(EnumSet.of(Flag.ANSWERED), "Work"), OptionalLong.empty());
        assertEquals(flags(EnumSet.of(Flag.SEEN, Flag.ANSWERED), "$Label1", "Work"),
                inbox.message(uid).orElseThrow().flags());

        // Keywords compare case-insensitively (RFC 3501 §2.3.2).
        FlagUpdate removed = inbox.updateFlags(one, FlagChange.REMOVE, flags(EnumSet.of(Flag.SEEN), "$label1"),
                OptionalLong.empty());
        assertEquals(flags(EnumSet.of(Flag.ANSWERED), "Work"), removed.updated().get(0).flags());

        inbox.updateFlags(one, FlagChange.REPLACE, flags(EnumSet.of(Flag.DRAFT, Flag.FLAGGED)), OptionalLong.empty());
        assertEquals(Flags.of(Flag.DRAFT, Flag.FLAGGED), inbox.message(uid).orElseThrow().flags());

        inbox.updateFlags(one, FlagChange.REPLACE, Flags.NONE, OptionalLong.empty());
        assertEquals(Flags.NONE, inbox.message(uid).orElseThrow().flags());
    }

    @Test
    void flagUpdateIgnoresUnknownUidsAndReportsMessagesAscending() throws Exception {
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        long a = append(inbox, "a").uid();
        long b = append(inbox, "b").uid();

        FlagUpdate update = inbox.updateFlags(List.of(b, 9999L, a), FlagChange.ADD, Flags.of(Flag.SEEN),
                OptionalLong.empty());

        assertEquals(List.of(a, b), uids(update.updated()));
        assertTrue(update.failedModified().isEmpty());
        assertTrue(update.updated().stream().allMatch(m -> m.flags().contains(Flag.SEEN)));
    }

    @Test
    void everyChangeRaisesModSeq() throws Exception {
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        long m0 = inbox.status().highestModSeq();
        MessageInfo a = append(inbox, "a");
        long m1 = inbox.status().highestModSeq();
        MessageInfo b = append(inbox, "b");
        long m2 = inbox.status().highestModSeq();
        MessageInfo flagged = inbox.updateFlags(List.of(a.uid()), FlagChange.ADD, Flags.of(Flag.DELETED),
                OptionalLong.empty()).updated().get(0);
        long m3 = inbox.status().highestModSeq();
        inbox.expunge(Optional.empty());
        long m4 = inbox.status().highestModSeq();

        assertTrue(m0 < m1 && m1 < m2 && m2 < m3 && m3 < m4, List.of(m0, m1, m2, m3, m4).toString());
        assertEquals(m1, a.modSeq());
        assertEquals(m2, b.modSeq());
        assertEquals(m3, flagged.modSeq());
        assertEquals(b.modSeq(), inbox.message(b.uid()).orElseThrow().modSeq(), "untouched message keeps its MODSEQ");
    }

    @Test
    void flagChangeThatChangesNothingKeepsModSeq() throws Exception {
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        MessageInfo a = inbox.append(message("a"), Flags.of(Flag.SEEN), Optional.empty());
        long before = inbox.status().highestModSeq();

        FlagUpdate update = inbox.updateFlags(List.of(a.uid()), FlagChange.ADD, Flags.of(Flag.SEEN),
                OptionalLong.empty());

        assertEquals(a.modSeq(), update.updated().get(0).modSeq());
        assertEquals(before, inbox.status().highestModSeq());
    }

    @Test
    void conditionalStoreLeavesMessagesModifiedSinceAndReportsThem() throws Exception {
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        MessageInfo a = append(inbox, "a");
        MessageInfo b = append(inbox, "b");
        // b's MODSEQ is above a's: UNCHANGEDSINCE a.modSeq lets a change and refuses b (RFC 7162 §3.1.3).
        FlagUpdate update = inbox.updateFlags(List.of(a.uid(), b.uid()), FlagChange.ADD, Flags.of(Flag.FLAGGED),
                OptionalLong.of(a.modSeq()));

        assertEquals(List.of(b.uid()), update.failedModified());
        assertTrue(inbox.message(a.uid()).orElseThrow().flags().contains(Flag.FLAGGED));
        assertFalse(inbox.message(b.uid()).orElseThrow().flags().contains(Flag.FLAGGED));
        assertEquals(b.modSeq(), inbox.message(b.uid()).orElseThrow().modSeq());
    }

    // ---------------------------------------------------------------- expunge

    @Test
    void expungeRemovesEveryDeletedMessageAndNothingElse() throws Exception {
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        long a = append(inbox, "a").uid();
        long b = inbox.append(message("b"), Flags.of(Flag.DELETED), Optional.empty()).uid();
        long c = append(inbox, "c").uid();
        inbox.updateFlags(List.of(c), FlagChange.ADD, Flags.of(Flag.DELETED), OptionalLong.empty());

        assertEquals(List.of(b, c), inbox.expunge(Optional.empty()));
        assertEquals(List.of(a), uids(inbox.messages()));
        assertTrue(inbox.message(b).isEmpty());
        assertReason(Reason.NOT_FOUND, () -> inbox.content(b));
    }

    @Test
    void uidExpungeRemovesOnlyDeletedMessagesAmongTheGivenUids() throws Exception {
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        long a = inbox.append(message("a"), Flags.of(Flag.DELETED), Optional.empty()).uid();
        long b = inbox.append(message("b"), Flags.of(Flag.DELETED), Optional.empty()).uid();
        long c = append(inbox, "c").uid();

        // RFC 4315 §2.1: UID EXPUNGE removes only \Deleted messages of the given set.
        assertEquals(List.of(b), inbox.expunge(Optional.of(List.of(b, c))));
        assertEquals(List.of(a, c), uids(inbox.messages()));
    }

    @Test
    void expungedSinceListsVanishedUids() throws Exception {
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        long a = inbox.append(message("a"), Flags.of(Flag.DELETED), Optional.empty()).uid();
        long since = inbox.status().highestModSeq();
        long b = inbox.append(message("b"), Flags.of(Flag.DELETED), Optional.empty()).uid();
        inbox.expunge(Optional.of(List.of(a)));
        long middle = inbox.status().highestModSeq();
        inbox.expunge(Optional.of(List.of(b)));

        assertEquals(Optional.of(List.of(a, b)), inbox.expungedSince(since));
        assertEquals(Optional.of(List.of(b)), inbox.expungedSince(middle));
        assertEquals(Optional.of(List.of()), inbox.expungedSince(inbox.status().highestModSeq()));
    }

    // ---------------------------------------------------------------- copy and move

    @Test
    void copyKeepsContentFlagsAndDateAndMapsUids() throws Exception {
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        Instant date = Instant.parse("2023-05-01T08:00:00Z");
        MessageInfo a = inbox.append(message("a", "body a"), flags(EnumSet.of(Flag.SEEN), "Work"), Optional.of(date));
        MessageInfo b = append(inbox, "b");
        Mailbox archive = alice.mailbox("Archive");

        CopyResult result = inbox.copyTo(List.of(b.uid(), a.uid(), 4242L), "Archive");

        assertEquals(archive.status().uidValidity(), result.targetUidValidity());
        assertEquals(List.of(a.uid(), b.uid()), result.sourceUids());
        assertEquals(uids(archive.messages()), result.targetUids());
        MessageInfo copied = archive.message(result.targetUids().get(0)).orElseThrow();
        assertEquals(a.flags(), copied.flags());
        assertEquals(date, copied.internalDate());
        assertArrayEquals(bytesOf(inbox.content(a.uid())), bytesOf(archive.content(copied.uid())));
        assertEquals(2, inbox.messages().size(), "source keeps its messages");
    }

    @Test
    void moveRemovesFromSourceAndMapsUids() throws Exception {
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        MessageInfo a = append(inbox, "a");
        MessageInfo b = append(inbox, "b");
        Recorder source = new Recorder();
        inbox.addListener(source);

        CopyResult result = inbox.moveTo(List.of(a.uid()), "Trash");

        Mailbox trash = alice.mailbox("Trash");
        assertEquals(List.of(a.uid()), result.sourceUids());
        assertEquals(uids(trash.messages()), result.targetUids());
        assertEquals(List.of(b.uid()), uids(inbox.messages()));
        assertArrayEquals(bytesOf(message("a")), bytesOf(trash.content(result.targetUids().get(0))));
        // RFC 6851 §3.3: the source sees the moved messages expunged.
        assertTrue(source.events.stream().anyMatch(
                e -> e instanceof MailboxEvent.Expunged x && x.uids().equals(List.of(a.uid()))), source.events::toString);
    }

    @Test
    void copyToMissingFolderFailsWithNotFound() throws Exception {
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        long a = append(inbox, "a").uid();

        assertReason(Reason.NOT_FOUND, () -> inbox.copyTo(List.of(a), "Nowhere"));
        assertReason(Reason.NOT_FOUND, () -> inbox.moveTo(List.of(a), "Nowhere"));
        assertEquals(List.of(a), uids(inbox.messages()));
    }

    @Test
    void oppositeMovesBetweenTwoFoldersFinishWithoutLosingMail() throws Exception {
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        Mailbox archive = alice.mailbox("Archive");
        for (int i = 0; i < 20; i++) {
            append(inbox, "in " + i);
            append(archive, "ar " + i);
        }
        List<Long> fromInbox = uids(inbox.messages());
        List<Long> fromArchive = uids(archive.messages());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch start = new CountDownLatch(1);
            Future<?> a = pool.submit(() -> {
                start.await();
                for (long uid : fromInbox) {
                    inbox.moveTo(List.of(uid), "Archive");
                }
                return null;
            });
            Future<?> b = pool.submit(() -> {
                start.await();
                for (long uid : fromArchive) {
                    archive.moveTo(List.of(uid), MailboxStore.INBOX);
                }
                return null;
            });
            start.countDown();
            a.get(WAIT_SECONDS, TimeUnit.SECONDS); // a deadlock fails here instead of hanging
            b.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(40, inbox.messages().size() + archive.messages().size());
        assertEquals(40, alice.quota().messages());
    }

    // ---------------------------------------------------------------- folders

    @Test
    void newUserHasInboxAndSpecialUseFolders() throws Exception {
        List<MailboxInfo> list = alice.list();

        assertEquals(MailboxStore.INBOX, list.get(0).name(), "INBOX first");
        assertEquals(Set.of(SpecialUse.DRAFTS), specialUseOf(list, "Drafts"));
        assertEquals(Set.of(SpecialUse.SENT), specialUseOf(list, "Sent"));
        assertEquals(Set.of(SpecialUse.JUNK), specialUseOf(list, "Junk"));
        assertEquals(Set.of(SpecialUse.TRASH), specialUseOf(list, "Trash"));
        assertEquals(Set.of(SpecialUse.ARCHIVE), specialUseOf(list, "Archive"));
        List<String> rest = list.subList(1, list.size()).stream().map(MailboxInfo::name).collect(Collectors.toList());
        assertEquals(rest.stream().sorted().collect(Collectors.toList()), rest, "then by name");
    }

    private static Set<SpecialUse> specialUseOf(List<MailboxInfo> list, String name) {
        return list.stream().filter(i -> i.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " missing from " + list)).specialUse();
    }

    @Test
    void inboxNameIsCaseInsensitive() throws Exception {
        Mailbox lower = alice.mailbox("inbox");
        append(lower, "via lower case");

        assertEquals(MailboxStore.INBOX, lower.name());
        assertEquals(1, alice.mailbox("InBoX").messages().size());
        assertEquals(1, alice.mailbox(MailboxStore.INBOX).messages().size());
        assertReason(Reason.ALREADY_EXISTS, () -> alice.create("Inbox", Set.of()));
    }

    @Test
    void createMakesMissingParentsAndListShowsChildren() throws Exception {
        alice.create("Work/2026/Q1", Set.of());

        List<MailboxInfo> list = alice.list();
        Set<String> names = list.stream().map(MailboxInfo::name).collect(Collectors.toSet());
        assertTrue(names.containsAll(Set.of("Work", "Work/2026", "Work/2026/Q1")), names::toString);
        assertTrue(list.stream().filter(i -> i.name().equals("Work")).findFirst().orElseThrow().hasChildren());
        assertFalse(list.stream().filter(i -> i.name().equals("Work/2026/Q1")).findFirst().orElseThrow().hasChildren());
        assertEquals("Work/2026/Q1", alice.mailbox("Work/2026/Q1").name());
    }

    @Test
    void createKeepsSpecialUseAndNonAsciiNames() throws Exception {
        MailboxInfo created = alice.create("Entwürfe/Ideen.2026", Set.of(SpecialUse.FLAGGED));

        assertEquals("Entwürfe/Ideen.2026", created.name());
        assertEquals(Set.of(SpecialUse.FLAGGED), specialUseOf(alice.list(), "Entwürfe/Ideen.2026"));
        append(alice.mailbox("Entwürfe/Ideen.2026"), "x");
        assertEquals(1, session(store, ALICE).mailbox("Entwürfe/Ideen.2026").messages().size());
    }

    @Test
    void createOfExistingFolderFails() throws Exception {
        alice.create("Lists", Set.of());

        assertReason(Reason.ALREADY_EXISTS, () -> alice.create("Lists", Set.of()));
        assertReason(Reason.ALREADY_EXISTS, () -> alice.create("Trash", Set.of()));
    }

    @Test
    void missingFolderIsNotFound() {
        assertReason(Reason.NOT_FOUND, () -> alice.mailbox("Nowhere"));
        assertReason(Reason.NOT_FOUND, () -> alice.delete("Nowhere"));
        assertReason(Reason.NOT_FOUND, () -> alice.rename("Nowhere", "Somewhere"));
    }

    @Test
    void deleteRemovesFolderAndItsMessagesButKeepsChildren() throws Exception {
        alice.create("Old/Keep", Set.of());
        Mailbox old = alice.mailbox("Old");
        append(old, "gone");

        alice.delete("Old");

        Set<String> names = alice.list().stream().map(MailboxInfo::name).collect(Collectors.toSet());
        assertFalse(names.contains("Old"));
        assertTrue(names.contains("Old/Keep"));
        assertReason(Reason.NOT_FOUND, () -> alice.mailbox("Old"));
        assertReason(Reason.NOT_FOUND, old::messages);
        assertReason(Reason.NOT_FOUND, () -> append(old, "too late"));
        assertEquals(0, alice.quota().messages());
    }

    @Test
    void inboxCannotBeDeleted() {
        assertReason(Reason.INVALID_NAME, () -> alice.delete("inbox"));
    }

    @Test
    void renameMovesFolderWithChildrenAndKeepsUids() throws Exception {
        alice.create("Work/2026", Set.of());
        MessageInfo kept = append(alice.mailbox("Work/2026"), "kept");
        long validity = alice.mailbox("Work/2026").status().uidValidity();
        Mailbox oldHandle = alice.mailbox("Work");

        alice.rename("Work", "Job");

        Set<String> names = alice.list().stream().map(MailboxInfo::name).collect(Collectors.toSet());
        assertTrue(names.containsAll(Set.of("Job", "Job/2026")), names::toString);
        assertFalse(names.contains("Work") || names.contains("Work/2026"), names::toString);
        Mailbox moved = alice.mailbox("Job/2026");
        assertEquals(List.of(kept.uid()), uids(moved.messages()));
        assertEquals(validity, moved.status().uidValidity());
        assertReason(Reason.NOT_FOUND, oldHandle::status);
    }

    @Test
    void renameOfInboxMovesItsMessagesAndLeavesItEmpty() throws Exception {
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        append(inbox, "a");
        append(inbox, "b");

        alice.rename("INBOX", "Old mail");

        assertTrue(inbox.messages().isEmpty());
        assertEquals(2, alice.mailbox("Old mail").messages().size());
        assertEquals(MailboxStore.INBOX, alice.list().get(0).name());
    }

    @Test
    void renameRefusesExistingTargetAndOwnChild() throws Exception {
        alice.create("A", Set.of());
        alice.create("B", Set.of());

        assertReason(Reason.ALREADY_EXISTS, () -> alice.rename("A", "B"));
        assertReason(Reason.ALREADY_EXISTS, () -> alice.rename("A", "inbox"));
        assertReason(Reason.INVALID_NAME, () -> alice.rename("A", "A/Sub"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "..", ".", "../bob", "a/../b", "a/./b", "/etc", "/", "a//b", "a/", "~bob/INBOX",
            "nul\u0000here", "line\nbreak", "tab\there", "del\u007f" })
    void namesThatCouldEscapeTheUsersTreeAreRefused(String name) {
        assertReason(Reason.INVALID_NAME, () -> alice.create(name, Set.of()));
        assertReason(Reason.INVALID_NAME, () -> alice.mailbox(name));
        assertReason(Reason.INVALID_NAME, () -> alice.delete(name));
        assertReason(Reason.INVALID_NAME, () -> alice.rename("Trash", name));
        assertReason(Reason.INVALID_NAME, () -> alice.setSubscribed(name, true));
    }

    @Test
    void usersDoNotSeeEachOthersMail() throws Exception {
        append(alice.mailbox(MailboxStore.INBOX), "private");
        alice.create("Secret", Set.of());
        UserMailboxes bob = session(store, BOB);

        assertEquals(BOB, bob.user());
        assertTrue(bob.mailbox(MailboxStore.INBOX).messages().isEmpty());
        assertReason(Reason.NOT_FOUND, () -> bob.mailbox("Secret"));
        assertEquals(0, bob.quota().messages());
    }

    // ---------------------------------------------------------------- subscriptions

    @Test
    void subscriptionsAreKeptAcrossSessions() throws Exception {
        alice.setSubscribed("Trash", true);
        alice.setSubscribed("Not yet created", true);
        alice.setSubscribed("Sent", true);
        alice.setSubscribed("Sent", false);

        assertEquals(Set.of("Trash", "Not yet created"), session(store, ALICE).subscriptions());
    }

    // ---------------------------------------------------------------- quotas

    @Test
    void quotaReportsUseOfAllFolders() throws Exception {
        MessageInfo a = append(alice.mailbox(MailboxStore.INBOX), "a");
        MessageInfo b = append(alice.mailbox("Sent"), "bb");

        QuotaUsage usage = alice.quota();

        assertEquals(2, usage.messages());
        assertEquals(a.size() + b.size(), usage.storageBytes());
        assertTrue(usage.storageLimit().isEmpty());
        assertTrue(usage.messageLimit().isEmpty());
    }

    @Test
    void appendOverStorageQuotaFailsAndStoresNothing() throws Exception {
        long one = message("x").size();
        MailboxStore limited = storeWithLimits(OptionalLong.of(2 * one + one / 2), OptionalLong.empty());
        UserMailboxes user = session(limited, ALICE);
        Mailbox inbox = user.mailbox(MailboxStore.INBOX);
        append(inbox, "x");
        append(inbox, "y");

        assertReason(Reason.OVER_QUOTA, () -> append(inbox, "z"));
        assertReason(Reason.OVER_QUOTA, () -> inbox.copyTo(uids(inbox.messages()), "Archive"));
        assertEquals(2, user.quota().messages());
        assertEquals(OptionalLong.of(2 * one + one / 2), user.quota().storageLimit());
        assertEquals(2, inbox.messages().size());
    }

    @Test
    void appendOverMessageCountQuotaFails() throws Exception {
        MailboxStore limited = storeWithLimits(OptionalLong.empty(), OptionalLong.of(2));
        UserMailboxes user = session(limited, ALICE);
        append(user.mailbox(MailboxStore.INBOX), "x");
        append(user.mailbox("Sent"), "y");

        assertReason(Reason.OVER_QUOTA, () -> append(user.mailbox("Drafts"), "z"));
        assertEquals(OptionalLong.of(2), user.quota().messageLimit());
        // A move does not add to the use (RFC 9208 §4.1), so it still works at the limit.
        Mailbox inbox = user.mailbox(MailboxStore.INBOX);
        assertEquals(1, inbox.moveTo(uids(inbox.messages()), "Archive").targetUids().size());
    }

    // ---------------------------------------------------------------- listeners

    @Test
    void listenersSeeChangesFromOtherSessionsInOrder() throws Exception {
        Recorder recorder = new Recorder();
        Mailbox.ListenerRegistration registration = alice.mailbox(MailboxStore.INBOX).addListener(recorder);
        Mailbox other = session(store, ALICE).mailbox(MailboxStore.INBOX);

        MessageInfo a = append(other, "a");
        other.updateFlags(List.of(a.uid()), FlagChange.ADD, Flags.of(Flag.DELETED), OptionalLong.empty());
        other.expunge(Optional.empty());
        registration.close();
        append(other, "after close");

        List<MailboxEvent> events = recorder.events;
        assertEquals(3, events.size(), events::toString);
        MailboxEvent.Appended appended = assertInstanceOf(MailboxEvent.Appended.class, events.get(0));
        assertEquals(a, appended.message());
        MailboxEvent.FlagsChanged changed = assertInstanceOf(MailboxEvent.FlagsChanged.class, events.get(1));
        assertTrue(changed.message().flags().contains(Flag.DELETED));
        MailboxEvent.Expunged expunged = assertInstanceOf(MailboxEvent.Expunged.class, events.get(2));
        assertEquals(List.of(a.uid()), expunged.uids());
        for (MailboxEvent e : events) {
            assertEquals(MailboxStore.INBOX, e.mailbox());
        }
        assertTrue(events.get(0).modSeq() < events.get(1).modSeq() && events.get(1).modSeq() < events.get(2).modSeq());
    }

    @Test
    void listenersSeeRemovedWhenFolderIsDeletedOrRenamed() throws Exception {
        alice.create("Gone", Set.of());
        alice.create("Moving", Set.of());
        Recorder gone = new Recorder();
        Recorder moving = new Recorder();
        alice.mailbox("Gone").addListener(gone);
        alice.mailbox("Moving").addListener(moving);

        alice.delete("Gone");
        alice.rename("Moving", "Moved");

        assertInstanceOf(MailboxEvent.Removed.class, gone.events.get(gone.events.size() - 1));
        assertEquals("Gone", gone.events.get(gone.events.size() - 1).mailbox());
        assertInstanceOf(MailboxEvent.Removed.class, moving.events.get(moving.events.size() - 1));
    }

    @Test
    void copyIsPublishedToTheTargetsListeners() throws Exception {
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        long a = append(inbox, "a").uid();
        Recorder archive = new Recorder();
        alice.mailbox("Archive").addListener(archive);

        CopyResult result = inbox.copyTo(List.of(a), "Archive");

        assertEquals(1, archive.events.size());
        MailboxEvent.Appended appended = assertInstanceOf(MailboxEvent.Appended.class, archive.events.get(0));
        assertEquals(result.targetUids().get(0), appended.message().uid());
    }

    // ---------------------------------------------------------------- concurrency

    @Test
    void listenersSeeModSeqsAscendingWhileSessionsRace() throws Exception {
        Mailbox inbox = alice.mailbox(MailboxStore.INBOX);
        Recorder recorder = new Recorder();
        inbox.addListener(recorder);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                Mailbox mine = session(store, ALICE).mailbox(MailboxStore.INBOX);
                int id = t;
                work.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 15; i++) {
                        long uid = append(mine, "t" + id + " m" + i).uid();
                        mine.updateFlags(List.of(uid), FlagChange.ADD, Flags.of(i % 2 == 0 ? Flag.SEEN : Flag.DELETED),
                                OptionalLong.empty());
                        if (i % 5 == 4) {
                            mine.expunge(Optional.empty());
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : work) {
                f.get(WAIT_SECONDS, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        List<MailboxEvent> events = recorder.events;
        for (int i = 1; i < events.size(); i++) {
            assertTrue(events.get(i).modSeq() > events.get(i - 1).modSeq(),
                    () -> "events out of MODSEQ order: " + events);
        }
        assertEquals(inbox.status().highestModSeq(), events.get(events.size() - 1).modSeq());
    }

    @Test
    void concurrentAppendersNeverShareAUid() throws Exception {
        int threads = 4;
        int perThread = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<Long>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                UserMailboxes session = session(store, ALICE);
                int id = t;
                Callable<List<Long>> appender = () -> {
                    start.await();
                    Mailbox inbox = session.mailbox(MailboxStore.INBOX);
                    List<Long> mine = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        mine.add(append(inbox, "t" + id + " m" + i).uid());
                    }
                    return mine;
                };
                results.add(pool.submit(appender));
            }
            start.countDown();
            Set<Long> all = new HashSet<>();
            for (Future<List<Long>> f : results) {
                List<Long> mine = f.get(WAIT_SECONDS, TimeUnit.SECONDS);
                for (int i = 1; i < mine.size(); i++) {
                    assertTrue(mine.get(i) > mine.get(i - 1), "one thread's UIDs ascend");
                }
                all.addAll(mine);
            }
            assertEquals(threads * perThread, all.size(), "no UID given twice");
            List<Long> listed = uids(alice.mailbox(MailboxStore.INBOX).messages());
            assertEquals(all, new HashSet<>(listed));
            assertEquals(listed.stream().sorted().collect(Collectors.toList()), listed);
        } finally {
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- structure (IMAP ENVELOPE, BODYSTRUCTURE, BODY[section])

    /** The store with the test's parser bound; skips the test when there is none. */
    private Mailbox inboxWithParser() throws Exception {
        Optional<MessageParser> parser = messageParser();
        Assumptions.assumeTrue(parser.isPresent(), "no MessageParser given: the store keeps no structures");
        bindParser(store, parser);
        return alice.mailbox(MailboxStore.INBOX);
    }

    private static MessageContent crlf(String text) {
        return MessageContent.ofBytes(text.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    private static String slice(byte[] raw, long from, long to) {
        return new String(raw, (int) from, (int) (to - from), StandardCharsets.UTF_8);
    }

    /** What IMAP would stream for BODY[section] of that part: the octets of content(uid) in its body range. */
    private static String bodyOf(byte[] raw, BodyPart p) {
        return slice(raw, p.bodyStart(), p.end());
    }

    protected static final String MULTIPART_MESSAGE = """
            From: "Carol C." <carol@example.net>
            To: Alice <alice@example.com>
            Subject: Holiday pictures
            Date: Wed, 26 Nov 2026 10:00:00 +0100
            Message-ID: <pics@example.net>
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="==outer=="

            Preamble for non-MIME readers.
            --==outer==
            Content-Type: multipart/alternative; boundary=alt

            --alt
            Content-Type: text/plain; charset=utf-8
            Content-Transfer-Encoding: 8bit

            Grüße vom Meer.
            Two lines.
            --alt
            Content-Type: text/html; charset=utf-8

            <p>Grüße vom Meer.</p>
            --alt--
            --==outer==
            Content-Type: image/jpeg; name="sea.jpg"
            Content-Transfer-Encoding: base64
            Content-Disposition: attachment; filename="sea.jpg"

            /9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////
            --==outer==
            Content-Type: message/rfc822

            From: Dave <dave@example.org>
            Subject: Re: plans
            Content-Type: multipart/mixed; boundary=inner

            --inner
            Content-Type: text/plain

            See you there.
            --inner--
            --==outer==--
            """;

    @Test
    void structureOfAPlainMessageDescribesItsBytes() throws Exception {
        Mailbox inbox = inboxWithParser();
        MessageInfo info = inbox.append(message("Hi", "Hello.\r\nSecond line."), Flags.NONE, Optional.empty());
        byte[] raw = bytesOf(inbox.content(info.uid()));
        MessageStructure s = inbox.structure(info.uid());
        BodyPart body = s.body();
        assertTrue(body.is("text", "plain"), "no Content-Type: text/plain");
        assertEquals(Optional.of("US-ASCII"), body.parameter("charset"));
        assertEquals("7BIT", body.encoding());
        assertEquals(0, body.headerStart());
        assertEquals(raw.length, body.end());
        assertEquals("Hello.\r\nSecond line.\r\n", bodyOf(raw, body));
        assertTrue(slice(raw, 0, body.bodyStart()).endsWith("Subject: Hi\r\n\r\n"), "BODY[HEADER] ends with the empty line");
        assertEquals(2, body.lines());
        assertEquals(Optional.of("Hi"), s.envelope().subject());
        assertEquals(List.of(EnvelopeAddress.of(Optional.empty(), "carol", "example.net")), s.envelope().from());
        assertEquals(s.envelope().from(), s.envelope().sender(), "RFC 3501 §7.4.2");
        assertEquals(s.envelope().from(), s.envelope().replyTo());
        assertEquals(s, inbox.structure(info.uid()), "asking again gives the same");
    }

    @Test
    void multipartStructureHasByteExactPartRanges() throws Exception {
        Mailbox inbox = inboxWithParser();
        long uid = inbox.append(crlf(MULTIPART_MESSAGE), Flags.NONE, Optional.empty()).uid();
        byte[] raw = bytesOf(inbox.content(uid));
        MessageStructure s = inbox.structure(uid);
        assertTrue(s.body().is("multipart", "mixed"));
        assertEquals(3, s.body().parts().size());
        assertTrue(bodyOf(raw, s.body()).startsWith("Preamble"), "BODY[TEXT]");

        assertTrue(s.part(1).orElseThrow().is("multipart", "alternative"));
        BodyPart plain = s.part(1, 1).orElseThrow();
        assertEquals("Grüße vom Meer.\r\nTwo lines.", bodyOf(raw, plain), "BODY[1.1]");
        assertEquals("8bit", plain.encoding());
        assertEquals(List.of(new MimeParameter("charset", "utf-8")), plain.parameters());
        assertEquals("Grüße vom Meer.\r\nTwo lines.".getBytes(StandardCharsets.UTF_8).length, plain.size());
        assertEquals(2, plain.lines());
        assertEquals("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
                slice(raw, plain.headerStart(), plain.bodyStart()), "BODY[1.1.MIME]");
        assertEquals("<p>Grüße vom Meer.</p>", bodyOf(raw, s.part(1, 2).orElseThrow()));

        BodyPart jpeg = s.part(2).orElseThrow();
        assertTrue(jpeg.is("image", "jpeg"));
        assertEquals("base64", jpeg.encoding());
        assertEquals("attachment", jpeg.disposition().orElseThrow().type());
        assertEquals(List.of(new MimeParameter("filename", "sea.jpg")), jpeg.disposition().orElseThrow().parameters());
        assertTrue(bodyOf(raw, jpeg).startsWith("/9j/4AAQ") && bodyOf(raw, jpeg).endsWith("////"));

        BodyPart forwarded = s.part(3).orElseThrow();
        assertTrue(forwarded.is("message", "rfc822"));
        MessageStructure inner = forwarded.message().orElseThrow();
        assertEquals(Optional.of("Re: plans"), inner.envelope().subject());
        assertTrue(slice(raw, inner.body().headerStart(), inner.body().bodyStart()).startsWith("From: Dave"),
                "BODY[3.HEADER]");
        assertTrue(bodyOf(raw, inner.body()).startsWith("--inner\r\n"), "BODY[3.TEXT]");
        assertEquals("See you there.", bodyOf(raw, s.part(3, 1).orElseThrow()), "BODY[3.1]");
        assertEquals(Optional.empty(), s.part(4));
        assertEquals(raw.length, s.body().end());
    }

    @Test
    void envelopeKeepsGroupsAndEncodedWordsRaw() throws Exception {
        Mailbox inbox = inboxWithParser();
        long uid = inbox.append(crlf("""
                From: =?UTF-8?Q?J=C3=B6rg?= <joerg@example.de>
                Sender: Secretary <sec@example.de>
                To: Friends: a@example.org, "B. B." <b@example.org>;, c@example.org
                Cc: undisclosed-recipients:;
                Subject: =?UTF-8?B?R3LDvMOfZQ==?=
                 and more
                In-Reply-To: <earlier@example.de>
                Message-ID: <now@example.de>

                Body.
                """), Flags.NONE, Optional.empty()).uid();
        EnvelopeFields e = inbox.structure(uid).envelope();
        assertEquals(Optional.of("=?UTF-8?B?R3LDvMOfZQ==?= and more"), e.subject(), "unfolded, not decoded");
        assertEquals(List.of(EnvelopeAddress.of(Optional.of("=?UTF-8?Q?J=C3=B6rg?="), "joerg", "example.de")), e.from());
        assertEquals(List.of(EnvelopeAddress.of(Optional.of("Secretary"), "sec", "example.de")), e.sender());
        assertEquals(e.from(), e.replyTo());
        assertEquals(List.of(EnvelopeAddress.groupStart("Friends"),
                EnvelopeAddress.of(Optional.empty(), "a", "example.org"),
                EnvelopeAddress.of(Optional.of("B. B."), "b", "example.org"), EnvelopeAddress.groupEnd(),
                EnvelopeAddress.of(Optional.empty(), "c", "example.org")), e.to());
        assertTrue(e.to().get(0).isGroupStart() && e.to().get(3).isGroupEnd());
        assertEquals(List.of(EnvelopeAddress.groupStart("undisclosed-recipients"), EnvelopeAddress.groupEnd()), e.cc());
        assertEquals(List.of(), e.bcc());
        assertEquals(Optional.of("<earlier@example.de>"), e.inReplyTo());
        assertEquals(Optional.of("<now@example.de>"), e.messageId());
        assertEquals(Optional.empty(), e.date());
    }

    @Test
    void structureStaysWithTheMessageThroughFlagsCopyAndMove() throws Exception {
        Mailbox inbox = inboxWithParser();
        long uid = inbox.append(crlf(MULTIPART_MESSAGE), Flags.NONE, Optional.empty()).uid();
        MessageStructure before = inbox.structure(uid);
        inbox.updateFlags(List.of(uid), FlagChange.ADD, Flags.of(Flag.SEEN, Flag.FLAGGED), OptionalLong.empty());
        assertEquals(before, inbox.structure(uid));
        Mailbox archive = alice.mailbox("Archive");
        long copied = inbox.copyTo(List.of(uid), "Archive").targetUids().get(0);
        assertEquals(before, archive.structure(copied));
        long moved = inbox.moveTo(List.of(uid), "Trash").targetUids().get(0);
        assertEquals(before, alice.mailbox("Trash").structure(moved));
        assertReason(Reason.NOT_FOUND, () -> inbox.structure(uid));
    }

    @Test
    void structureOfAMissingMessageIsNotFound() throws Exception {
        Mailbox inbox = inboxWithParser();
        assertReason(Reason.NOT_FOUND, () -> inbox.structure(42));
        long uid = append(inbox, "gone").uid();
        inbox.updateFlags(List.of(uid), FlagChange.ADD, Flags.of(Flag.DELETED), OptionalLong.empty());
        inbox.expunge(Optional.empty());
        assertReason(Reason.NOT_FOUND, () -> inbox.structure(uid));
    }

    @Test
    void withoutParserStructureIsUnavailableUntilOneComes() throws Exception {
        Mailbox inbox = inboxWithParser();
        long parsed = append(inbox, "parsed while the parser was there").uid();
        MessageStructure known = inbox.structure(parsed);
        bindParser(store, Optional.empty()); // the MIME bundle stops
        long uid = append(inbox, "arrives meanwhile").uid();
        assertReason(Reason.UNAVAILABLE, () -> inbox.structure(uid));
        assertEquals(known, inbox.structure(parsed), "what was parsed is still known");
        assertTrue(inbox.message(uid).isPresent(), "everything else goes on");
        assertTrue(new String(bytesOf(inbox.content(uid)), StandardCharsets.UTF_8).contains("arrives meanwhile"));
        bindParser(store, messageParser());
        assertEquals(Optional.of("arrives meanwhile"), inbox.structure(uid).envelope().subject());
    }

    @Test
    void concurrentStructureRequestsAgree() throws Exception {
        Mailbox inbox = inboxWithParser();
        List<Long> uids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            uids.add(inbox.append(crlf(MULTIPART_MESSAGE.replace("Holiday pictures", "pictures " + i)), Flags.NONE,
                    Optional.empty()).uid());
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<MessageStructure>>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> {
                    List<MessageStructure> seen = new ArrayList<>();
                    for (long uid : uids) {
                        seen.add(inbox.structure(uid));
                    }
                    return seen;
                }));
            }
            List<MessageStructure> first = results.get(0).get(WAIT_SECONDS, TimeUnit.SECONDS);
            for (Future<List<MessageStructure>> f : results) {
                assertEquals(first, f.get(WAIT_SECONDS, TimeUnit.SECONDS));
            }
            for (int i = 0; i < uids.size(); i++) {
                assertEquals(Optional.of("pictures " + i), first.get(i).envelope().subject());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
