package dev.postwerk.auth.file.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class DirectoryFileTest {

    @Test
    void formatGivesBackTheTextItWasParsedFrom() {
        String text = """
                # Postwerk users
                domain Example.COM

                user  alice@example.com   password={BLF-CRYPT}$2y$04$abc  quota=2G messages=100 master   # the boss
                alias info@example.com alice@example.com bob@remote.example
                alias @example.com alice@example.com
                frobnicate this
                """;
        List<DirectoryFile.Line> lines = DirectoryFile.parse(text);
        assertEquals(text, DirectoryFile.format(lines));
        assertEquals(7, lines.size());
        assertInstanceOf(DirectoryFile.Verbatim.class, lines.get(0));
        assertEquals("example.com", ((DirectoryFile.Domain) lines.get(1)).name());
        DirectoryFile.User u = (DirectoryFile.User) lines.get(3);
        assertEquals("alice@example.com", u.name());
        assertEquals(2L << 30, u.quota().getAsLong());
        assertEquals(100, u.messages().getAsLong());
        assertTrue(u.master());
        assertEquals("{BLF-CRYPT}$2y$04$abc", u.password().orElseThrow());
        DirectoryFile.Alias a = (DirectoryFile.Alias) lines.get(4);
        assertEquals(2, a.targets().size());
        assertTrue(((DirectoryFile.Alias) lines.get(5)).isCatchAll());
        assertInstanceOf(DirectoryFile.Invalid.class, lines.get(6));
    }

    @Test
    void unknownUserAttributeMakesTheLineInvalidRatherThanSilentlyIgnored() {
        DirectoryFile.Line l = DirectoryFile.parseLine("user bob@example.com mastr");
        assertTrue(((DirectoryFile.Invalid) l).error().contains("mastr"));
    }

    @Test
    void hashSignInsideALocalPartIsNotAComment() {
        DirectoryFile.User u = (DirectoryFile.User) DirectoryFile.parseLine("user a#b@example.com # comment");
        assertEquals("a#b@example.com", u.name());
    }

    @Test
    void rewrittenEntriesUseTheCanonicalForm() {
        DirectoryFile.User u = (DirectoryFile.User) DirectoryFile.parseLine("user   Bob@Example.com  quota=1K");
        DirectoryFile.User changed = u.withSettings(true, true, u.quota(), u.messages());
        assertEquals("user Bob@example.com quota=1024 master disabled", changed.text());
    }

    @Test
    void sizesTakeBinarySuffixes() {
        assertEquals(1024, DirectoryFile.size("1k"));
        assertEquals(3L << 20, DirectoryFile.size("3M"));
        assertEquals(12345, DirectoryFile.size("12345"));
        assertThrows(IllegalArgumentException.class, () -> DirectoryFile.size("-1"));
    }
}
