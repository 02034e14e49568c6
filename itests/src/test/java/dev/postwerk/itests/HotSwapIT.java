package dev.postwerk.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.inject.Inject;

import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import dev.postwerk.api.directory.DirectoryAdmin;
import dev.postwerk.api.directory.DirectoryException;
import dev.postwerk.api.directory.UserEntry;
import dev.postwerk.api.filter.FilterChain;
import dev.postwerk.api.store.MailboxStore;
import dev.postwerk.api.store.MessageInfo;
import dev.postwerk.api.store.UserMailboxes;
import dev.postwerk.testkit.net.LineClient;

/**
 * Rule 2 of DESIGN.md in the assembled server: bundles stopped, updated and installed while mail
 * flows, and nothing acknowledged is lost.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HotSwapIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Inject
    private BundleContext context;

    @Inject
    private DirectoryAdmin admin;

    @Configuration
    public Option[] config() {
        return PostwerkContainer.options();
    }

    @Before
    public void awaitStarted() throws DirectoryException {
        PostwerkContainer.awaitStarted(context);
        if (!admin.domains().contains("swap.test")) {
            admin.addDomain("swap.test");
        }
    }

    private void addUser(String name) throws DirectoryException {
        if (admin.user(name).isEmpty()) {
            admin.addUser(new UserEntry(name, false, false, OptionalLong.empty(), OptionalLong.empty(), ""),
                    "pw-secret".toCharArray());
        }
    }

    private static int mx() {
        return PostwerkContainer.port("dev.postwerk.smtp-mx.cfg");
    }

    private static int pop3() {
        return PostwerkContainer.port("dev.postwerk.pop3-plain.cfg");
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (b.getSymbolicName().equals(symbolicName)) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }

    /** One message over SMTP; returns the reply to the end of data (or the first refusal). */
    private static String send(LineClient c, String to, String subject) throws IOException {
        c.raw("MAIL FROM:<load@remote.test>\r\nRCPT TO:<" + to + ">\r\nDATA\r\n");
        String mail = c.readLine();
        String rcpt = c.readLine();
        String data = c.readLine();
        if (!mail.startsWith("250") || !rcpt.startsWith("250") || !data.startsWith("354")) {
            c.command("RSET");
            return mail.startsWith("250") ? (rcpt.startsWith("250") ? data : rcpt) : mail;
        }
        c.raw("Subject: " + subject + "\r\n\r\nhello\r\n.\r\n");
        return c.readLine();
    }

    private static LineClient smtp() throws IOException {
        LineClient c = LineClient.connect("127.0.0.1", mx(), Duration.ofSeconds(30));
        String greeting = c.readLine();
        if (greeting == null || !greeting.startsWith("220")) {
            c.close();
            throw new IOException("no greeting: " + greeting);
        }
        c.send("EHLO swap.test");
        String line;
        do {
            line = c.readLine();
        } while (line != null && line.startsWith("250-"));
        return c;
    }

    /** A POP3 session past STLS and login; the plain listener requires TLS before USER/PASS. */
    private static LineClient pop3(String user) throws IOException {
        LineClient c = LineClient.connect("127.0.0.1", pop3(), Duration.ofSeconds(30));
        c.readLine();
        assertTrue(c.command("STLS").startsWith("+OK"));
        c.upgradeToTls();
        c.command("USER " + user);
        String pass = c.command("PASS pw-secret");
        if (!pass.startsWith("+OK")) {
            c.close();
            throw new IOException(pass);
        }
        return c;
    }

    /** Subjects in a user's INBOX, counted, through whatever store serves now. */
    private Map<String, Integer> subjects(String user) throws Exception {
        ServiceReference<MailboxStore> ref = context.getServiceReference(MailboxStore.class);
        if (ref == null) {
            return Map.of();
        }
        MailboxStore store = context.getService(ref);
        Map<String, Integer> counts = new HashMap<>();
        try (UserMailboxes mail = store.open(user)) {
            for (MessageInfo m : mail.mailbox("INBOX").messages()) {
                try (InputStream in = mail.mailbox("INBOX").content(m.uid()).openStream()) {
                    String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    int at = text.indexOf("\r\nSubject: ");
                    if (at >= 0) {
                        counts.merge(text.substring(at + 11, text.indexOf("\r\n", at + 11)), 1, Integer::sum);
                    }
                }
            }
        } finally {
            context.ungetService(ref);
        }
        return counts;
    }

    @Test
    public void stoppingTheStoreHoldsMailInTheQueueAndPop3AnswersTemporarilyThenDeliveryResumes() throws Exception {
        addUser("dora@swap.test");
        try (LineClient c = smtp()) {
            assertTrue(send(c, "dora@swap.test", "before-stop").startsWith("250 "));
        }
        PostwerkContainer.await("first message delivered", TIMEOUT,
                () -> quietly(() -> subjects("dora@swap.test")).containsKey("before-stop"));
        Bundle maildir = bundle("dev.postwerk.postwerk-store-maildir");
        try (LineClient session = pop3("dora@swap.test")) {
            assertTrue(session.command("STAT").startsWith("+OK 1 "));
            maildir.stop();
            // the session's snapshot still answers STAT; reading the message needs the store
            String retr = session.command("RETR 1");
            assertTrue("a session in progress gets a temporary error: " + retr, retr.startsWith("-ERR [SYS/TEMP]"));
            try (LineClient c = smtp()) {
                assertTrue("the queue takes the mail while the store is away",
                        send(c, "dora@swap.test", "while-store-stopped").startsWith("250 "));
            }
            try (LineClient c = LineClient.connect("127.0.0.1", pop3(), Duration.ofSeconds(30))) {
                c.readLine();
                c.command("STLS");
                c.upgradeToTls();
                c.command("USER dora@swap.test");
                String pass = c.command("PASS pw-secret");
                assertTrue("a new login gets a temporary error: " + pass, pass.startsWith("-ERR [SYS/TEMP]"));
            }
        } finally {
            maildir.start();
        }
        PostwerkContainer.await("delivered once the store is back", TIMEOUT,
                () -> quietly(() -> subjects("dora@swap.test")).getOrDefault("while-store-stopped", 0) == 1);
        try (LineClient c = pop3("dora@swap.test")) {
            assertTrue(c.command("STAT").startsWith("+OK 2 "));
        }
    }

    @Test
    public void updatingSmtpAndQueueUnderLoadLosesNoAcknowledgedMessage() throws Exception {
        addUser("load@swap.test");
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicInteger next = new AtomicInteger();
        int total = 160;
        ExecutorService clients = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            clients.submit(() -> {
                int n = next.getAndIncrement();
                Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
                while (n < total && Instant.now().isBefore(deadline)) {
                    try (LineClient c = smtp()) {
                        while (n < total) {
                            String reply = send(c, "load@swap.test", "load-" + n);
                            if (reply == null) {
                                break; // connection ended (421 on shutdown): reconnect and resend n
                            }
                            if (reply.startsWith("250 ")) {
                                acknowledged.add("load-" + n);
                                n = next.getAndIncrement();
                            } else if (reply.startsWith("4")) {
                                break; // a temporary failure: like an MTA, try again later
                            } else {
                                throw new AssertionError("permanent failure for load-" + n + ": " + reply);
                            }
                        }
                    } catch (IOException e) {
                        RunningPause.pause(100);
                    }
                }
                return null;
            });
        }
        PostwerkContainer.await("load running", TIMEOUT, () -> acknowledged.size() >= 30);
        bundle("dev.postwerk.postwerk-smtp").update();
        PostwerkContainer.await("load going on after the SMTP update", TIMEOUT, () -> acknowledged.size() >= 80);
        bundle("dev.postwerk.postwerk-queue").update();
        clients.shutdown();
        assertTrue(clients.awaitTermination(120, TimeUnit.SECONDS));
        assertEquals(total, acknowledged.size());
        PostwerkContainer.await("every acknowledged message delivered", TIMEOUT,
                () -> quietly(() -> subjects("load@swap.test")).keySet().containsAll(acknowledged));
        subjects("load@swap.test").forEach((subject, count) -> assertEquals(subject + " delivered once", 1, (int) count));
    }

    @Test
    public void aFilterBundleInstalledOrRemovedTakesEffectOnTheNextMessage() throws Exception {
        FilterChain chain = context.getService(context.getServiceReference(FilterChain.class));
        Bundle filter = context.installBundle("mvn:dev.postwerk/postwerk-example-sender-domain-filter/"
                + System.getProperty("postwerk.version"));
        try {
            filter.start();
            PostwerkContainer.await("filter registered", TIMEOUT, () -> chain.describe().stream()
                    .anyMatch(d -> d.name().contains("SenderDomainFilter")));
            try (LineClient c = smtp()) {
                assertEquals("550 5.7.1 Mail from spam.example is not accepted here", c.command("MAIL FROM:<x@spam.example>"));
            }
        } finally {
            filter.uninstall();
        }
        try (LineClient c = smtp()) {
            assertEquals("250 2.1.0 Sender ok", c.command("MAIL FROM:<x@spam.example>"));
        }
    }

    @Test
    public void stoppingPop3EndsSessionsWithoutDeletingAndStartingItServesAgain() throws Exception {
        addUser("erin@swap.test");
        try (LineClient c = smtp()) {
            assertTrue(send(c, "erin@swap.test", "keep-me").startsWith("250 "));
        }
        PostwerkContainer.await("delivered", TIMEOUT,
                () -> quietly(() -> subjects("erin@swap.test")).containsKey("keep-me"));
        Bundle pop3 = bundle("dev.postwerk.postwerk-pop3");
        try (LineClient c = pop3("erin@swap.test")) {
            assertTrue(c.command("DELE 1").startsWith("+OK"));
            pop3.stop();
            String goodbye = c.readLine();
            assertTrue("goodbye: " + goodbye, goodbye == null || goodbye.startsWith("-ERR"));
        } finally {
            pop3.start();
        }
        PostwerkContainer.await("POP3 serving again", TIMEOUT, () -> {
            try (LineClient c = pop3("erin@swap.test")) {
                return c.command("STAT").startsWith("+OK 1 ");
            } catch (IOException e) {
                return false;
            }
        });
    }

    private interface Call<T> {
        T call() throws Exception;
    }

    private static Map<String, Integer> quietly(Call<Map<String, Integer>> call) {
        try {
            return call.call();
        } catch (Exception e) {
            return Map.of(); // the store is (re)starting: ask again
        }
    }

    private static final class RunningPause {
        static void pause(long millis) {
            try {
                Thread.sleep(millis); // back-off before reconnecting, not synchronisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

}
