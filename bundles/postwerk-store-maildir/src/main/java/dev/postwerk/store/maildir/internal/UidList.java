package dev.postwerk.store.maildir.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.postwerk.api.store.Flags;
import dev.postwerk.api.store.MessageInfo;
import dev.postwerk.api.store.SpecialUse;

/**
 * The durable index of one folder, in the spirit of Dovecot's {@code dovecot-uidlist}: UIDVALIDITY,
 * UIDNEXT, HIGHESTMODSEQ (RFC 7162), and per message its UID, MODSEQ, size, INTERNALDATE,
 * keywords and file. System flags live in the file name, where other Maildir software reads them.
 * Kept in memory under the folder's lock.
 *
 * <p>On disk: a snapshot, ended by a {@code log} line, then the changes since, one line each,
 * appended and forced to disk after every operation, so a change costs a few lines, not a rewrite
 * of a 100,000-message index. When the log grows as long as the snapshot, the whole file is
 * replaced atomically by a new snapshot. Every line stands alone (an "m" line carries the whole
 * entry), so a crash that cuts an append short leaves a consistent prefix; the torn last line is
 * dropped, and what it described is found again by the folder's scan.
 *
 * <pre>
 * postwerk-uidlist 1
 * uidvalidity 1764172800
 * uidnext 12
 * highestmodseq 40
 * expungedfloor 0
 * specialuse \Sent
 * x 39 7                         (expunged: MODSEQ, UID; also the QRESYNC history)
 * m 11 40 2048 1764172801 $Label1 cur/1764172801.M1P2Q3R4.host,S=2048:2,S
 * log
 * m 12 41 512 1764172900 - new/1764172900.M5P2Q4R9.host,S=512
 * </pre>
 */
final class UidList {

    static final String FILE = "postwerk-uidlist";
    static final String DOVECOT_FILE = "dovecot-uidlist";
    private static final String MAGIC = "postwerk-uidlist 1";

    /** Expunges remembered for QRESYNC; older ones are forgotten and expungedSince says so. */
    static final int HISTORY_LIMIT = 10_000;

    /** One message; {@code location} is "new/" or "cur/" and the file name. */
    record Entry(long uid, long modSeq, long size, Instant date, Set<String> keywords, String location) {

        String fileName() {
            return location.substring(4);
        }

        String baseName() {
            return MaildirFiles.baseName(fileName());
        }

        MessageInfo info() {
            return new MessageInfo(uid, size, date, new Flags(MaildirFiles.flagsOf(fileName()), keywords), modSeq);
        }
    }

    record Expunge(long modSeq, long uid) {
    }

    long uidValidity;
    long uidNext = 1;
    long highestModSeq = 1;
    /** Expunge history is complete for MODSEQs above this. */
    long expungedFloor;
    Set<SpecialUse> specialUse;
    final TreeMap<Long, Entry> entries = new TreeMap<>();
    final Map<String, Long> byBaseName = new HashMap<>();
    final ArrayDeque<Expunge> history = new ArrayDeque<>();
    /**
     * Sum of the sizes and number of messages without \Seen, kept as entries come and go: STATUS,
     * delivery (which needs UIDNEXT) and the quota check read them for every message, and
     * summing a 20,000-message folder each time was most of the CPU a delivery cost.
     */
    long totalSize;
    long unseen;
    /** Lines describing changes not yet on disk. */
    private final List<String> pending = new ArrayList<>();
    /** Lines after the snapshot in the file. */
    private long logLines;

    UidList(long uidValidity, Set<SpecialUse> specialUse) {
        this.uidValidity = uidValidity;
        this.specialUse = Set.copyOf(specialUse);
    }

    /** Adds or replaces a message; written with the next {@link #flush}. */
    void put(Entry e) {
        apply(e);
        pending.add(line(e));
    }

    private void apply(Entry e) {
        Long other = byBaseName.get(e.baseName());
        if (other != null && other != e.uid()) {
            throw new IllegalArgumentException("file " + e.baseName() + " has UIDs " + other + " and " + e.uid());
        }
        Entry old = entries.put(e.uid(), e);
        if (old != null) {
            byBaseName.remove(old.baseName());
            count(old, -1);
        }
        count(e, 1);
        byBaseName.put(e.baseName(), e.uid());
        uidNext = Math.max(uidNext, e.uid() + 1);
        highestModSeq = Math.max(highestModSeq, e.modSeq());
    }

    /** Removes messages as one change with that MODSEQ; written with the next {@link #flush}. */
    void expunge(long modSeq, List<Long> uids) {
        for (long uid : uids) {
            applyExpunge(modSeq, uid);
            pending.add("x " + modSeq + " " + uid);
        }
        trimHistory();
    }

    private void applyExpunge(long modSeq, long uid) {
        Entry old = entries.remove(uid);
        if (old != null) {
            byBaseName.remove(old.baseName());
            count(old, -1);
        }
        history.addLast(new Expunge(modSeq, uid));
        highestModSeq = Math.max(highestModSeq, modSeq);
    }

    private void count(Entry e, int sign) {
        totalSize += sign * e.size();
        if (!MaildirFiles.hasFlag(e.fileName(), 'S')) {
            unseen += sign;
        }
    }

    private void trimHistory() {
        while (history.size() > HISTORY_LIMIT) {
            expungedFloor = history.removeFirst().modSeq();
        }
    }

    private static String line(Entry e) {
        return "m " + e.uid() + " " + e.modSeq() + " " + e.size() + " " + e.date().getEpochSecond() + " "
                + encodeKeywords(e.keywords()) + " " + e.location();
    }

    /**
     * Makes the changes since the last flush durable: appended to the log, or a new snapshot when
     * the log has grown as long as one.
     */
    void flush(Path folder) throws IOException {
        if (pending.isEmpty()) {
            return;
        }
        if (logLines + pending.size() > Math.max(1024, entries.size() + history.size())
                || !Files.exists(folder.resolve(FILE))) { // removed by another program: start afresh
            write(folder);
            return;
        }
        StringBuilder b = new StringBuilder();
        for (String line : pending) {
            b.append(line).append('\n');
        }
        try (FileChannel ch = FileChannel.open(folder.resolve(FILE), StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer bytes = ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
            ch.force(true);
        }
        logLines += pending.size();
        pending.clear();
    }

    // ------------------------------------------------------------------ file format

    /** Replaces the file with a snapshot of the whole index (atomically) and empties the log. */
    void write(Path folder) throws IOException {
        MaildirFiles.replaceAtomically(folder.resolve(FILE), w -> {
            w.write(MAGIC + "\n");
            line(w, "uidvalidity " + uidValidity);
            line(w, "uidnext " + uidNext);
            line(w, "highestmodseq " + highestModSeq);
            line(w, "expungedfloor " + expungedFloor);
            if (!specialUse.isEmpty()) {
                StringBuilder b = new StringBuilder("specialuse");
                for (SpecialUse s : new TreeSet<>(specialUse)) {
                    b.append(' ').append(s.attribute());
                }
                line(w, b.toString());
            }
            for (Expunge x : history) {
                line(w, "x " + x.modSeq() + " " + x.uid());
            }
            for (Entry e : entries.values()) {
                line(w, line(e));
            }
            line(w, "log");
        });
        pending.clear();
        logLines = 0;
    }

    private static void line(Writer w, String line) throws IOException {
        w.write(line);
        w.write('\n');
    }

    /**
     * Reads the index of a folder; empty when there is none yet.
     *
     * @throws IllegalArgumentException when the file is damaged (the caller rebuilds it)
     */
    static Optional<UidList> read(Path folder) throws IOException {
        Path file = folder.resolve(FILE);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        int valid = bytes.length;
        while (valid > 0 && bytes[valid - 1] != '\n') {
            valid--; // a torn last line from a crash during an append
        }
        try {
            String[] lines = new String(bytes, 0, valid, StandardCharsets.UTF_8).split("\n");
            if (!MAGIC.equals(lines[0])) {
                throw new IllegalArgumentException("not a " + FILE + " file");
            }
            UidList list = new UidList(0, Set.of());
            long uidValidity = -1;
            boolean inLog = false;
            for (int i = 1; i < lines.length; i++) {
                String line = lines[i];
                String[] f = line.split(" ", 7);
                switch (f[0]) {
                case "uidvalidity" -> uidValidity = positive(f[1]);
                case "uidnext" -> list.uidNext = positive(f[1]);
                case "highestmodseq" -> list.highestModSeq = positive(f[1]);
                case "expungedfloor" -> list.expungedFloor = Long.parseLong(f[1]);
                case "specialuse" -> list.specialUse = parseSpecialUse(line);
                case "log" -> inLog = true;
                case "x" -> {
                    long modSeq = positive(f[1]);
                    if (!inLog && modSeq > list.highestModSeq) {
                        throw new IllegalArgumentException("inconsistent expunge: " + line);
                    }
                    list.applyExpunge(modSeq, positive(f[2]));
                    list.logLines += inLog ? 1 : 0;
                }
                case "m" -> {
                    if (f.length != 7) {
                        throw new IllegalArgumentException("short entry: " + line);
                    }
                    Entry e = new Entry(positive(f[1]), positive(f[2]), Long.parseLong(f[3]),
                            Instant.ofEpochSecond(Long.parseLong(f[4])), decodeKeywords(f[5]), checkLocation(f[6]));
                    if (!inLog && (e.uid() >= list.uidNext || e.modSeq() > list.highestModSeq
                            || list.entries.containsKey(e.uid()))) {
                        throw new IllegalArgumentException("inconsistent entry: " + line);
                    }
                    list.apply(e);
                    list.logLines += inLog ? 1 : 0;
                }
                default -> throw new IllegalArgumentException("unknown line: " + line);
                }
            }
            if (!inLog) {
                throw new IllegalArgumentException("snapshot without its end");
            }
            if (uidValidity <= 0 || uidValidity > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("no valid uidvalidity");
            }
            list.uidValidity = uidValidity;
            list.trimHistory();
            if (valid < bytes.length) {
                // Cut the torn line off, so that the next append starts on a line of its own.
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.truncate(valid);
                    ch.force(true);
                }
            }
            return Optional.of(list);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("damaged " + file + ": " + e.getMessage(), e);
        }
    }

    /** Only the special-use attributes, read from the head of the file: enough for LIST. */
    static Optional<Set<SpecialUse>> readSpecialUse(Path folder) {
        try (BufferedReader r = Files.newBufferedReader(folder.resolve(FILE), StandardCharsets.UTF_8)) {
            if (!MAGIC.equals(r.readLine())) {
                return Optional.empty();
            }
            for (String line; (line = r.readLine()) != null && !line.startsWith("x ") && !line.startsWith("m ");) {
                if (line.startsWith("specialuse")) {
                    return Optional.of(parseSpecialUse(line));
                }
            }
            return Optional.of(Set.of());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Set<SpecialUse> parseSpecialUse(String line) {
        Set<SpecialUse> set = EnumSet.noneOf(SpecialUse.class);
        for (String a : line.substring("specialuse".length()).trim().split(" ")) {
            for (SpecialUse s : SpecialUse.values()) {
                if (s.attribute().equalsIgnoreCase(a)) {
                    set.add(s);
                }
            }
        }
        return set;
    }

    private static long positive(String s) {
        long v = Long.parseLong(s);
        if (v <= 0) {
            throw new IllegalArgumentException("not positive: " + s);
        }
        return v;
    }

    /** A location read from disk must name a file directly in new/ or cur/ and nothing else. */
    private static String checkLocation(String location) {
        if (!(location.startsWith("new/") || location.startsWith("cur/")) || location.length() == 4
                || location.indexOf('/', 4) >= 0 || location.substring(4).startsWith(".")
                || location.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("bad location: " + location);
        }
        return location;
    }

    /** Keywords are percent-encoded so that any string fits in one field; "-" means none. */
    static String encodeKeywords(Set<String> keywords) {
        if (keywords.isEmpty()) {
            return "-";
        }
        List<String> encoded = new ArrayList<>();
        for (String k : keywords) {
            StringBuilder b = new StringBuilder();
            for (byte by : k.getBytes(StandardCharsets.UTF_8)) {
                int c = by & 0xff;
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '$' || c == '_'
                        || c == '.') {
                    b.append((char) c);
                } else {
                    b.append('%').append(String.format("%02X", c));
                }
            }
            encoded.add(b.toString());
        }
        return String.join(",", encoded);
    }

    static Set<String> decodeKeywords(String field) {
        if (field.equals("-")) {
            return Set.of();
        }
        Set<String> keywords = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (String k : field.split(",")) {
            // '+' is always percent-encoded by encodeKeywords, so URLDecoder's '+' rule never applies.
            keywords.add(URLDecoder.decode(k, StandardCharsets.UTF_8));
        }
        return keywords;
    }

    // ------------------------------------------------------------------ Dovecot migration

    static final String DOVECOT_KEYWORDS = "dovecot-keywords";

    /**
     * Dovecot's keyword letters of a folder: line "N name" gives letter 'a' + N in file names.
     * Empty when there is no such file or it cannot be read.
     */
    static Map<Character, String> readDovecotKeywords(Path folder) {
        Map<Character, String> letters = new HashMap<>();
        try {
            for (String line : Files.readAllLines(folder.resolve(DOVECOT_KEYWORDS), StandardCharsets.UTF_8)) {
                int space = line.indexOf(' ');
                if (space > 0) {
                    int n = Integer.parseInt(line.substring(0, space));
                    String keyword = line.substring(space + 1).trim();
                    if (n >= 0 && n < 26 && !keyword.isEmpty() && !keyword.startsWith("\\")) {
                        letters.put((char) ('a' + n), keyword);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return letters;
    }

    /** UIDs that Dovecot gave, so clients keep their caches after a migration. */
    record DovecotUids(long uidValidity, long uidNext, Map<String, Long> uids) {
    }

    /**
     * Reads a {@code dovecot-uidlist} (version 1 or 3) if the folder has one. Damaged or unknown
     * versions give empty: the messages are still picked up, with new UIDs and UIDVALIDITY.
     */
    static Optional<DovecotUids> readDovecot(Path folder) {
        try (BufferedReader r = Files.newBufferedReader(folder.resolve(DOVECOT_FILE), StandardCharsets.UTF_8)) {
            String[] header = r.readLine().trim().split(" ");
            long validity;
            long next;
            boolean v3;
            if (header[0].equals("3")) {
                v3 = true;
                validity = -1;
                next = 1;
                for (String h : header) {
                    if (h.startsWith("V")) {
                        validity = Long.parseLong(h.substring(1));
                    } else if (h.startsWith("N")) {
                        next = Long.parseLong(h.substring(1));
                    }
                }
            } else if (header[0].equals("1") && header.length >= 3) {
                v3 = false;
                validity = Long.parseLong(header[1]);
                next = Long.parseLong(header[2]);
            } else {
                return Optional.empty();
            }
            Map<String, Long> uids = new HashMap<>();
            for (String line; (line = r.readLine()) != null;) {
                if (line.isBlank()) {
                    continue;
                }
                int space = line.indexOf(' ');
                long uid = Long.parseLong(line.substring(0, space));
                // Version 3 puts extension fields first and the file name after " :".
                int colon = line.indexOf(" :");
                if (v3 && colon < 0) {
                    throw new IllegalArgumentException("no file name: " + line);
                }
                String name = v3 ? line.substring(colon + 2) : line.substring(space + 1);
                uids.put(MaildirFiles.baseName(name), uid);
                next = Math.max(next, uid + 1);
            }
            if (validity <= 0 || validity > 0xFFFF_FFFFL) {
                return Optional.empty();
            }
            return Optional.of(new DovecotUids(validity, next, uids));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
