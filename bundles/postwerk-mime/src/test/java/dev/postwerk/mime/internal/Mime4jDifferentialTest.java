package dev.postwerk.mime.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.apache.james.mime4j.stream.RecursionMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.postwerk.api.mail.BodyPart;

/**
 * Our parser against an independent one: Apache James Mime4J's streaming parser
 * ({@link MimeTokenStream}, permissive limits) must find the same leaf entities, of the same
 * types, with the same raw body octets as our byte ranges. Then random MIME trees, and random
 * damage to real messages, which must never make the parser fail. More rounds:
 * {@code -Dfuzz.trees=20000 -Dfuzz.damaged=200000}.
 */
class Mime4jDifferentialTest {

    record Leaf(String mimeType, String body) {
    }

    static List<Leaf> mime4jLeaves(byte[] raw) throws IOException, MimeException {
        MimeTokenStream tokens = new MimeTokenStream(MimeConfig.PERMISSIVE);
        tokens.setRecursionMode(RecursionMode.M_RECURSE);
        tokens.parse(new ByteArrayInputStream(raw));
        List<Leaf> leaves = new ArrayList<>();
        for (EntityState s = tokens.getState(); s != EntityState.T_END_OF_STREAM; s = tokens.next()) {
            if (s == EntityState.T_BODY) {
                leaves.add(new Leaf(tokens.getBodyDescriptor().getMimeType(),
                        new String(tokens.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1)));
            }
        }
        return leaves;
    }

    static List<Leaf> ourLeaves(byte[] raw) {
        List<Leaf> leaves = new ArrayList<>();
        collect(Messages.parse(raw).body(), raw, leaves);
        return leaves;
    }

    private static void collect(BodyPart p, byte[] raw, List<Leaf> leaves) {
        if (p.isMultipart()) {
            p.parts().forEach(c -> collect(c, raw, leaves));
        } else if (p.message().isPresent()) {
            collect(p.message().get().body(), raw, leaves);
        } else {
            leaves.add(new Leaf((p.type() + "/" + p.subtype()).toLowerCase(Locale.ROOT),
                    new String(Arrays.copyOfRange(raw, (int) p.bodyStart(), (int) p.end()), StandardCharsets.ISO_8859_1)));
        }
    }

    private static void assertSameAsMime4j(byte[] raw) throws Exception {
        assertEquals(mime4jLeaves(raw), ourLeaves(raw), () -> new String(raw, StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(strings = { "mixed", "alternative", "forwarded", "plain" })
    void realWorldShapedMessagesAgreeWithMime4j(String name) throws Exception {
        String text = switch (name) {
            case "mixed" -> Messages.MIXED_WITH_ATTACHMENT;
            case "alternative" -> Messages.ALTERNATIVE_IN_MIXED;
            case "forwarded" -> Messages.FORWARDED_MESSAGE;
            default -> Messages.NO_CONTENT_TYPE;
        };
        assertSameAsMime4j(Messages.crlf(text));
        assertSameAsMime4j(Messages.lf(text));
    }

    @Test
    void randomMimeTreesAgreeWithMime4j() throws Exception {
        Random random = new Random(20261126);
        for (int i = 0, n = Integer.getInteger("fuzz.trees", 400); i < n; i++) {
            Generator g = new Generator(random, random.nextBoolean() ? "\r\n" : "\n");
            g.message(0);
            assertSameAsMime4j(g.out.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Truncated, spliced and bit-flipped messages: never an exception, always a consistent tree. */
    @Test
    void damagedMessagesNeverBreakTheParser() {
        Random random = new Random(7);
        List<byte[]> seeds = new ArrayList<>();
        for (String t : List.of(Messages.MIXED_WITH_ATTACHMENT, Messages.ALTERNATIVE_IN_MIXED,
                Messages.FORWARDED_MESSAGE, Messages.NO_CONTENT_TYPE)) {
            seeds.add(Messages.crlf(t));
            seeds.add(Messages.lf(t));
        }
        for (int i = 0; i < 50; i++) {
            Generator g = new Generator(random, "\r\n");
            g.message(0);
            seeds.add(g.out.toString().getBytes(StandardCharsets.UTF_8));
        }
        byte[] specials = "-\r\n:;\"()<>@,=\\ \t/".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0, n = Integer.getInteger("fuzz.damaged", 3000); i < n; i++) {
            byte[] m = seeds.get(random.nextInt(seeds.size())).clone();
            int edits = 1 + random.nextInt(8);
            for (int e = 0; e < edits && m.length > 0; e++) {
                int at = random.nextInt(m.length);
                switch (random.nextInt(4)) {
                    case 0 -> m = Arrays.copyOf(m, at); // truncate
                    case 1 -> m[at] = specials[random.nextInt(specials.length)];
                    case 2 -> m[at] = (byte) random.nextInt(256);
                    default -> { // delete a slice
                        int len = Math.min(m.length - at, random.nextInt(40));
                        byte[] shorter = new byte[m.length - len];
                        System.arraycopy(m, 0, shorter, 0, at);
                        System.arraycopy(m, at + len, shorter, at, m.length - at - len);
                        m = shorter;
                    }
                }
            }
            Messages.parse(m); // checks the invariants
        }
    }

    /** Well-formed random MIME: nested multiparts and messages, preambles, epilogues, empty bodies. */
    static final class Generator {
        final Random random;
        final String eol;
        final StringBuilder out = new StringBuilder();
        int boundaries;

        Generator(Random random, String eol) {
            this.random = random;
            this.eol = eol;
        }

        void line(String s) {
            out.append(s).append(eol);
        }

        void message(int depth) {
            line("From: Someone <someone" + random.nextInt(100) + "@example.org>");
            line("Subject: random " + random.nextInt(1000));
            if (random.nextInt(4) == 0) {
                line("X-Folded: a");
                line("  b");
            }
            entity(depth);
        }

        /** Content-Type (or none), the empty line, the body. */
        void entity(int depth) {
            int kind = depth > 4 ? 0 : random.nextInt(depth == 0 ? 3 : 5);
            if (kind == 1 || kind == 3) {
                String boundary = "b" + (boundaries++) + "x" + Long.toHexString(random.nextLong());
                String sub = List.of("mixed", "alternative", "related", "digest").get(random.nextInt(4));
                line("Content-Type: multipart/" + sub + ";" + (random.nextBoolean() ? " " : eol + "\t") + "boundary="
                        + (random.nextBoolean() ? boundary : "\"" + boundary + "\""));
                line("");
                if (random.nextBoolean()) {
                    text(random.nextInt(3));
                }
                int parts = 1 + random.nextInt(4);
                for (int i = 0; i < parts; i++) {
                    line("--" + boundary + (random.nextInt(5) == 0 ? "  " : ""));
                    if (sub.equals("digest") && random.nextBoolean()) {
                        line(""); // no header: a message/rfc822 by default
                        message(depth + 1);
                    } else {
                        entity(depth + 1);
                    }
                }
                line("--" + boundary + "--");
                if (random.nextBoolean()) {
                    text(random.nextInt(3));
                }
            } else if (kind == 2) {
                line("Content-Type: message/rfc822");
                line("");
                message(depth + 1);
            } else if (kind == 4) {
                line("Content-Type: application/octet-stream; name=\"f" + random.nextInt(9) + ".bin\"");
                line("Content-Transfer-Encoding: base64");
                line("");
                for (int i = random.nextInt(4); i > 0; i--) {
                    line("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo" + random.nextInt(1000));
                }
            } else {
                if (random.nextBoolean()) {
                    line("Content-Type: text/" + (random.nextBoolean() ? "plain" : "html") + "; charset=utf-8");
                }
                line("");
                text(random.nextInt(5));
            }
        }

        void text(int lines) {
            for (int i = 0; i < lines; i++) {
                StringBuilder l = new StringBuilder();
                for (int k = random.nextInt(60); k > 0; k--) {
                    l.append((char) (' ' + 1 + random.nextInt(94)));
                }
                String s = l.toString();
                line(s.startsWith("-") ? "x" + s : s);
            }
        }
    }
}
