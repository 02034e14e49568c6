package dev.postwerk.shell.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import dev.postwerk.api.mail.MailAddress;

import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Session;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MailCommandsTest {

    MemoryDirectory directory = new MemoryDirectory();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream originalOut;
    /** What the fake console answers to readLine, and the masks it was asked to use. */
    Deque<String> typed = new ArrayDeque<>();
    List<Character> masks = new ArrayList<>();

    @BeforeEach
    void captureOutput() {
        originalOut = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreOutput() {
        System.setOut(originalOut);
    }

    String output() {
        return out.toString(StandardCharsets.UTF_8);
    }

    Session console() {
        return (Session) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Session.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("readLine")) {
                        masks.add((Character) args[1]);
                        return typed.poll();
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    void domainAdd(String d) {
        DomainAdd c = new DomainAdd();
        c.admin = directory;
        c.domain = d;
        c.execute();
    }

    void userAdd(String address, String password) throws Exception {
        UserAdd c = new UserAdd();
        c.admin = directory;
        c.address = address;
        c.password = password;
        c.execute();
    }

    @Test
    void domainAddAndListPrintATableOfDomains() throws Exception {
        domainAdd("example.com");
        domainAdd("example.org");
        userAdd("alice@example.com", "pw");
        out.reset();
        DomainList list = new DomainList();
        list.admin = directory;
        list.execute();
        String text = output();
        assertTrue(text.lines().findFirst().orElseThrow().matches("Domain\\s+\\W\\s+Users\\s+\\W\\s+Aliases"), text);
        assertTrue(text.contains("example.com"), text);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("example.com") && l.matches(".*\\b1\\b.*\\b0\\s*")), text);
    }

    @Test
    void aRefusalFailsTheCommandWithTheDirectorysReason() {
        domainAdd("example.com");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> domainAdd("example.com"));
        assertEquals("domain example.com exists already (already exists)", e.getMessage());
    }

    @Test
    void userAddAsksForThePasswordTwiceWithoutEcho() throws Exception {
        domainAdd("example.com");
        UserAdd c = new UserAdd();
        c.admin = directory;
        c.session = console();
        c.address = "bob@example.com";
        c.master = true;
        c.quota = "2G";
        typed.add("s3cret");
        typed.add("s3cret");
        c.execute();
        assertEquals(List.of('*', '*'), masks);
        assertArrayEquals("s3cret".toCharArray(), directory.passwords.get("bob@example.com"));
        assertTrue(directory.users.get("bob@example.com").master());
        assertEquals(2L << 30, directory.users.get("bob@example.com").storageQuota().getAsLong());
        assertTrue(!output().contains("s3cret"));
    }

    @Test
    void userAddRefusesTwoDifferentPasswords() {
        domainAdd("example.com");
        UserAdd c = new UserAdd();
        c.admin = directory;
        c.session = console();
        c.address = "bob@example.com";
        typed.add("one");
        typed.add("two");
        assertThrows(IllegalArgumentException.class, c::execute);
        assertTrue(directory.users.isEmpty());
    }

    @Test
    void userListShowsFlagsQuotasAndScheme() throws Exception {
        domainAdd("example.com");
        UserAdd c = new UserAdd();
        c.admin = directory;
        c.address = "carol@example.com";
        c.password = "pw";
        c.master = true;
        c.quota = "500M";
        c.messages = 1000;
        c.execute();
        out.reset();
        UserList list = new UserList();
        list.admin = directory;
        list.execute();
        String row = output().lines().filter(l -> l.startsWith("carol@")).findFirst().orElseThrow();
        assertTrue(row.matches("carol@example.com\\s+\\W\\s+master\\s+\\W\\s+500M\\s+\\W\\s+1000\\s+\\W\\s+ARGON2ID\\s*"), row);
    }

    @Test
    void userPasswdAndRemoveChangeTheDirectory() throws Exception {
        domainAdd("example.com");
        userAdd("dave@example.com", "old");
        UserPasswd p = new UserPasswd();
        p.admin = directory;
        p.user = "dave@example.com";
        p.password = "new";
        p.execute();
        assertArrayEquals("new".toCharArray(), directory.passwords.get("dave@example.com"));
        UserRemove r = new UserRemove();
        r.admin = directory;
        r.user = "dave@example.com";
        r.execute();
        assertTrue(directory.users.isEmpty());
        assertThrows(IllegalStateException.class, r::execute);
    }

    @Test
    void aliasCommandsAddListAndRemoveTargets() {
        domainAdd("example.com");
        AliasAdd add = new AliasAdd();
        add.admin = directory;
        add.source = "info@example.com";
        add.targets = List.of("a@example.com", "b@remote.example");
        add.execute();
        AliasAdd catchAll = new AliasAdd();
        catchAll.admin = directory;
        catchAll.source = "@example.com";
        catchAll.targets = List.of("a@example.com");
        catchAll.execute();
        out.reset();
        AliasList list = new AliasList();
        list.admin = directory;
        list.execute();
        assertTrue(output().contains("@example.com (catch-all)"), output());
        assertTrue(output().contains("a@example.com, b@remote.example"), output());
        AliasRemove remove = new AliasRemove();
        remove.admin = directory;
        remove.source = "info@example.com";
        remove.targets = List.of("b@remote.example");
        remove.execute();
        assertEquals(List.of(MailAddress.parse("a@example.com")), directory.aliases.get("info@example.com").targets());
        AliasAdd bad = new AliasAdd();
        bad.admin = directory;
        bad.source = "x@example.com";
        bad.targets = List.of("not an address");
        assertThrows(IllegalArgumentException.class, bad::execute);
    }

    @Test
    void authTestSaysWhetherThePasswordIsRight() throws Exception {
        domainAdd("example.com");
        userAdd("erin@example.com", "right");
        AuthTest t = new AuthTest();
        t.directory = directory;
        t.user = "erin@example.com";
        t.session = console();
        typed.add("right");
        out.reset();
        t.execute();
        assertTrue(output().startsWith("Authenticated as erin@example.com"), output());
        t.password = "wrong";
        IllegalStateException e = assertThrows(IllegalStateException.class, t::execute);
        assertTrue(e.getMessage().startsWith("Authentication failed for erin@example.com: invalid credentials"), e.getMessage());
    }

    @Test
    void completersOfferExistingDomainsUsersAndAliases() throws Exception {
        domainAdd("example.com");
        domainAdd("other.org");
        userAdd("frank@example.com", "pw");
        userAdd("fiona@other.org", "pw");
        DomainCompleter d = new DomainCompleter();
        d.admin = directory;
        UserCompleter u = new UserCompleter();
        u.admin = directory;
        AliasCompleter a = new AliasCompleter();
        a.admin = directory;
        directory.addAlias(new dev.postwerk.api.directory.AliasEntry("info@example.com",
                List.of(MailAddress.parse("frank@example.com"))));
        assertEquals(List.of("example.com"), complete(d, "ex"));
        assertEquals(List.of("fiona@other.org", "frank@example.com"), complete(u, "f"));
        assertEquals(List.of("info@example.com"), complete(a, ""));
    }

    /** Candidates a completer offers for the word being typed. */
    List<String> complete(org.apache.karaf.shell.api.console.Completer completer, String word) {
        CommandLine line = (CommandLine) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {CommandLine.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getCursorArgument" -> word;
                    case "getArgumentPosition", "getBufferPosition", "getCursorArgumentIndex", "getCursorWordIndex" -> word.length();
                    case "getArguments" -> new String[] {word};
                    case "getBuffer" -> word;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        List<String> candidates = new ArrayList<>();
        completer.complete(console(), line, candidates);
        return candidates.stream().map(String::strip).sorted().toList();
    }

    @Test
    void sizesAcceptBinarySuffixesAndPrintBack() {
        assertEquals(500L << 20, Console.size("500m").getAsLong());
        assertEquals("500M", Console.size(Console.size("500M")));
        assertEquals("default", Console.size(Console.size("-")));
        assertThrows(IllegalArgumentException.class, () -> Console.size("lots"));
    }
}
