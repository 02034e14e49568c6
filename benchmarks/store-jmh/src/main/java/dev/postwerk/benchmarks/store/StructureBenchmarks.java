package dev.postwerk.benchmarks.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import dev.postwerk.api.mail.MessageContent;
import dev.postwerk.api.mail.MessageParser;
import dev.postwerk.api.mail.MessageStructure;
import dev.postwerk.api.store.Flags;
import dev.postwerk.api.store.Mailbox;
import dev.postwerk.api.store.UserMailboxes;
import dev.postwerk.mime.internal.MimeMessageParser;
import dev.postwerk.store.maildir.internal.MaildirStore;
import dev.postwerk.store.maildir.internal.MaildirTestAccess;

/**
 * {@code Mailbox.structure(uid)} of the Maildir store (what IMAP FETCH BODYSTRUCTURE / ENVELOPE /
 * BODY[section] will call): a first parse of a 100 KiB multipart message against the cached
 * answer, and every message of a 10,000-message folder, warm, after a restart (read from the
 * structure cache file) and with nothing cached (all parsed).
 */
public class StructureBenchmarks {

    static final String USER = "structure@example.test";

    /** A mail as clients send it: text and HTML alternatives and a base64 attachment, {@code size} octets in all. */
    static byte[] multipart(int size, int n) {
        StringBuilder m = new StringBuilder();
        m.append("Return-Path: <carol@example.net>\r\n")
                .append("Received: from mx.example.net (mx.example.net [192.0.2.7])\r\n\tby mail.example.test with ESMTPS; ")
                .append("Wed, 26 Nov 2026 10:00:00 +0100\r\n")
                .append("From: \"Carol Example\" <carol@example.net>\r\n")
                .append("To: Alice <alice@example.test>, Team: bob@example.test, dave@example.test;\r\n")
                .append("Subject: =?UTF-8?Q?Quartalsbericht_Nr=2E_").append(n).append("?=\r\n")
                .append("Date: Wed, 26 Nov 2026 09:59:58 +0100\r\n")
                .append("Message-ID: <bench-").append(n).append("@example.net>\r\n")
                .append("MIME-Version: 1.0\r\n")
                .append("Content-Type: multipart/mixed; boundary=\"----=_Part_1_").append(n).append("\"\r\n\r\n")
                .append("This is a multi-part message in MIME format.\r\n")
                .append("------=_Part_1_").append(n).append("\r\n")
                .append("Content-Type: multipart/alternative; boundary=\"----=_Alt_2_").append(n).append("\"\r\n\r\n")
                .append("------=_Alt_2_").append(n).append("\r\n")
                .append("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n");
        for (int i = 0; i < 12; i++) {
            m.append("Line ").append(i).append(" of the report, with some words that make it look like text.\r\n");
        }
        m.append("------=_Alt_2_").append(n).append("\r\n")
                .append("Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n");
        for (int i = 0; i < 12; i++) {
            m.append("<p>Line ").append(i).append(" of the report, with <b>some</b> words that make it look like HTML.</p>\r\n");
        }
        m.append("------=_Alt_2_").append(n).append("--\r\n\r\n")
                .append("------=_Part_1_").append(n).append("\r\n")
                .append("Content-Type: application/pdf; name=\"report.pdf\"\r\nContent-Transfer-Encoding: base64\r\n")
                .append("Content-Disposition: attachment; filename=\"report.pdf\"\r\n\r\n");
        String close = "------=_Part_1_" + n + "--\r\n";
        String line = "JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSL0ZpbHRlci9GbGF0ZURl\r\n";
        while (m.length() + line.length() + close.length() < size) {
            m.append(line);
        }
        m.append("\r\n").append(close);
        return m.toString().getBytes(StandardCharsets.US_ASCII);
    }

    static MaildirStore store(Path root, MessageParser parser) {
        MaildirStore store = MaildirBenchmarks.store(root);
        MaildirTestAccess.parser(store, parser);
        return store;
    }

    static void deleteStructureCaches(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith("postwerk-structure")).toList()) {
                Files.delete(p);
            }
        }
    }

    // ------------------------------------------------------------------ one 100 KiB message

    @State(Scope.Benchmark)
    public static class OneMessage {
        Path root;
        UserMailboxes mail;
        Mailbox inbox;
        long uid;
        MessageParser parser = new MimeMessageParser();
        MessageContent stored;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            root = MaildirBenchmarks.root("structure-one");
            mail = store(root, parser).open(USER);
            inbox = mail.mailbox("INBOX");
            byte[] raw = multipart(100 * 1024, 1);
            uid = inbox.append(MessageContent.ofBytes(raw), Flags.NONE, Optional.empty()).uid();
            stored = inbox.content(uid);
            MessageStructure s = inbox.structure(uid);
            System.out.printf("%n[setup] %d octets, %d parts, attachment %d octets%n", raw.length,
                    s.body().parts().size(), s.part(2).orElseThrow().size());
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            mail.close();
            MaildirBenchmarks.delete(root);
        }
    }

    /** What a cache miss costs: read the stored 100 KiB file and parse it (a miss adds one record append). */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 2, time = 2)
    @Measurement(iterations = 3, time = 3)
    @Fork(1)
    public MessageStructure firstParse100KiB(OneMessage s) throws Exception {
        return s.parser.parse(s.stored);
    }

    /** The same message's structure() once cached: folder lock, directory check, record decoded. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 2, time = 2)
    @Measurement(iterations = 3, time = 3)
    @Fork(1)
    public MessageStructure cached100KiB(OneMessage s) throws Exception {
        return s.inbox.structure(s.uid);
    }

    // ------------------------------------------------------------------ a 10,000-message folder

    @State(Scope.Benchmark)
    public static class TenThousand {
        static final int MESSAGES = 10_000;
        Path root;
        UserMailboxes mail;
        Mailbox inbox;
        List<Long> uids = new ArrayList<>();
        MessageParser parser = new MimeMessageParser();

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            root = MaildirBenchmarks.root("structure-10k");
            try (UserMailboxes first = store(root, parser).open(USER)) {
                first.mailbox("INBOX").status(); // creates the Maildir
            }
            Path cur;
            try (Stream<Path> s = Files.walk(root)) {
                cur = s.filter(p -> p.getFileName().toString().equals("cur")
                        && p.getParent().getFileName().toString().equals("structure")).findFirst().orElseThrow();
            }
            long now = System.currentTimeMillis() / 1000 - 3600;
            long octets = 0;
            for (int i = 0; i < MESSAGES; i++) {
                byte[] m = multipart(4 * 1024 + (i % 7) * 1024, i); // 4 to 10 KiB, as typical mail
                octets += m.length;
                Files.write(cur.resolve((now + i / 100) + ".M" + i + "P1.bench,S=" + m.length + ":2,S"), m);
            }
            mail = store(root, parser).open(USER);
            inbox = mail.mailbox("INBOX");
            inbox.messages().forEach(m -> uids.add(m.uid()));
            long start = System.nanoTime();
            for (long uid : uids) {
                inbox.structure(uid);
            }
            System.out.printf("%n[setup] %d messages, %d MB; first structure() of all (parse + cache write): %d ms%n",
                    uids.size(), octets >> 20, (System.nanoTime() - start) / 1_000_000);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            mail.close();
            MaildirBenchmarks.delete(root);
        }
    }

    /** FETCH 1:* (ENVELOPE BODYSTRUCTURE) on an open folder whose structures are cached. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 2, time = 2)
    @Measurement(iterations = 3, time = 3)
    @Fork(1)
    public void allOf10kWarm(TenThousand f, Blackhole bh) throws Exception {
        for (long uid : f.uids) {
            bh.consume(f.inbox.structure(uid));
        }
    }

    /** The same after a restart: a new store instance reads the folder's structure cache file once. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 2)
    @Measurement(iterations = 5)
    @Fork(1)
    public void allOf10kAfterRestart(TenThousand f, Blackhole bh) throws Exception {
        try (UserMailboxes mail = store(f.root, f.parser).open(USER)) {
            Mailbox inbox = mail.mailbox("INBOX");
            for (long uid : f.uids) {
                bh.consume(inbox.structure(uid));
            }
        }
    }

    /** With nothing cached (cache files deleted, new store instance): every message read and parsed. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 1)
    @Measurement(iterations = 3)
    @Fork(1)
    public void allOf10kUncached(TenThousand f, Blackhole bh) throws Exception {
        deleteStructureCaches(f.root);
        try (UserMailboxes mail = store(f.root, f.parser).open(USER)) {
            Mailbox inbox = mail.mailbox("INBOX");
            for (long uid : f.uids) {
                bh.consume(inbox.structure(uid));
            }
        }
    }
}
