package dev.postwerk.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import dev.postwerk.api.directory.AuthResult;
import dev.postwerk.api.directory.UserDirectory;
import dev.postwerk.api.mail.MailAddress;
import dev.postwerk.api.sasl.SaslAuthenticator;
import dev.postwerk.api.sasl.SaslContext;
import dev.postwerk.api.sasl.SaslResult;

/** The mail:* directory commands through the real Karaf shell, and what they change. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DirectoryShellIT {

    @Inject
    private org.osgi.framework.BundleContext context;

    @Inject
    private SessionFactory sessions;

    @Inject
    private UserDirectory directory;

    @Inject
    private SaslAuthenticator sasl;

    @Configuration
    public Option[] config() {
        return PostwerkContainer.options();
    }

    @org.junit.Before
    public void awaitStarted() {
        PostwerkContainer.awaitStarted(context);
    }

    @Test
    public void shippedDirectoryHasLocalhostAndNoUser() throws Exception {
        assertTrue(directory.isLocalDomain("localhost"));
        String file = Files.readString(Path.of(System.getProperty("karaf.etc"), "postwerk-users.conf"),
                StandardCharsets.UTF_8);
        assertFalse("no user ships by default", file.lines().anyMatch(l -> l.startsWith("user ")));
    }

    @Test
    public void adminAddsDomainAndUserWhoCanThenAuthenticate() throws Exception {
        MailShell shell = new MailShell(sessions);
        PostwerkContainer.await("mail commands registered", Duration.ofSeconds(30),
                () -> shell.run("mail:domain-list").succeeded());
        assertTrue(shell.run("mail:domain-add example.test").succeeded());
        assertTrue(shell.run("mail:domain-list").output().contains("example.test"));
        MailShell.Result added = shell.run("mail:user-add alice@example.test 's3cret-Pass'");
        assertTrue(added.output() + added.failure(), added.succeeded());
        assertTrue(shell.run("mail:user-list").output().contains("alice@example.test"));
        assertTrue(shell.run("mail:auth-test alice@example.test 's3cret-Pass'").output().contains("Authenticated as"));
        assertFalse(shell.run("mail:auth-test alice@example.test wrong").succeeded());

        // the file changed on disk (atomic rewrite), with a hash and never the password
        String file = Files.readString(Path.of(System.getProperty("karaf.etc"), "postwerk-users.conf"),
                StandardCharsets.UTF_8);
        assertTrue(file.contains("user alice@example.test"));
        assertTrue(file.contains("{ARGON2ID}"));
        assertFalse(file.contains("s3cret-Pass"));

        // the services see it: delivery resolution and SASL PLAIN through the SASL bundle
        assertFalse(directory.resolve(MailAddress.parse("alice+news@example.test")).isUnknown());
        assertEquals(AuthResult.Outcome.SUCCESS,
                directory.verifyPassword("alice@example.test", "s3cret-Pass".toCharArray()).outcome());
        SaslContext tls = new SaslContext(java.net.InetAddress.getLoopbackAddress(), true, false, "localhost");
        Object step = sasl.exchange("PLAIN", tls).start(Optional.of(
                "\0alice@example.test\0s3cret-Pass".getBytes(StandardCharsets.UTF_8)));
        assertTrue(String.valueOf(step), step instanceof SaslResult.Success);

        assertTrue(shell.run("mail:alias-add info@example.test alice@example.test").succeeded());
        assertEquals("alice@example.test", directory.resolve(MailAddress.parse("info@example.test")).local().get(0)
                .user().name());
        assertTrue(shell.run("mail:user-remove alice@example.test").succeeded());
        PostwerkContainer.await("alice gone", Duration.ofSeconds(10),
                () -> directory.findUser("alice@example.test").isEmpty());
    }

    @Test
    public void commandErrorsFailTheCommand() throws Exception {
        MailShell shell = new MailShell(sessions);
        PostwerkContainer.await("mail commands registered", Duration.ofSeconds(30),
                () -> shell.run("mail:domain-list").succeeded());
        assertFalse(shell.run("mail:user-add bob@unknown-domain.test pw").succeeded());
        assertFalse(shell.run("mail:domain-add 'not a domain'").succeeded());
    }
}
