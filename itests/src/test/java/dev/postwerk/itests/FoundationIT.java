package dev.postwerk.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.karaf.features.FeaturesService;
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
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

import dev.postwerk.api.mail.BodyPart;
import dev.postwerk.api.mail.MessageContent;
import dev.postwerk.api.mail.MessageParser;
import dev.postwerk.api.mail.MessageStructure;
import dev.postwerk.api.store.Flags;
import dev.postwerk.api.store.Mailbox;
import dev.postwerk.api.store.MailboxStore;
import dev.postwerk.api.store.StoreException;
import dev.postwerk.api.store.UserMailboxes;
import dev.postwerk.testkit.net.LineClient;

/**
 * The foundation inside the assembled server: features, bundles, components, the shipped
 * probe listener with STARTTLS, live re-configuration and a hot update of the transport.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class FoundationIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Inject
    private BundleContext context;

    @Inject
    private FeaturesService features;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Inject
    private ServiceComponentRuntime scr;

    private static int shippedProbePort() {
        return PostwerkContainer.port("dev.postwerk.transport.probe-diag.cfg");
    }

    @Configuration
    public Option[] config() {
        return PostwerkContainer.options();
    }

    private List<Bundle> postwerkBundles() {
        List<Bundle> list = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (b.getSymbolicName().startsWith("dev.postwerk.") && !b.getSymbolicName().contains("testkit")) {
                list.add(b);
            }
        }
        return list;
    }

    @org.junit.Before
    public void awaitStarted() {
        PostwerkContainer.awaitStarted(context);
    }

    @Test
    public void postwerkFeatureIsInstalledWithEveryBundleActiveAndEveryComponentSatisfied() throws Exception {
        assertTrue(features.isInstalled(features.getFeature("postwerk")));
        assertTrue(features.isInstalled(features.getFeature("postwerk-transport")));
        List<Bundle> bundles = postwerkBundles();
        assertTrue("postwerk bundles found: " + bundles, bundles.size() >= 2);
        for (Bundle b : bundles) {
            assertEquals(b.getSymbolicName() + " state", Bundle.ACTIVE, b.getState());
        }
        PostwerkContainer.await("every Postwerk component satisfied", TIMEOUT, () -> unsatisfied().isEmpty());
    }

    private List<String> unsatisfied() {
        List<String> problems = new ArrayList<>();
        for (Bundle b : postwerkBundles()) {
            for (ComponentDescriptionDTO description : scr.getComponentDescriptionDTOs(b)) {
                for (ComponentConfigurationDTO configuration : scr.getComponentConfigurationDTOs(description)) {
                    if (configuration.state != ComponentConfigurationDTO.ACTIVE
                            && configuration.state != ComponentConfigurationDTO.SATISFIED) {
                        problems.add(description.name + " state " + configuration.state
                                + (configuration.failure != null ? ": " + configuration.failure : ""));
                    }
                }
            }
        }
        return problems;
    }

    @Test
    public void shippedProbeListenerAnswersAndUpgradesToTls() throws Exception {
        PostwerkContainer.await("probe port bound", TIMEOUT, () -> answers(shippedProbePort()));
        try (LineClient c = LineClient.connect("127.0.0.1", shippedProbePort(), TIMEOUT)) {
            assertEquals("* OK Postwerk transport probe ready", c.readLine());
            c.raw("STARTTLS\r\nECHO injected\r\n");
            assertEquals("OK begin TLS", c.readLine());
            c.upgradeToTls();
            assertTrue(c.command("INFO").startsWith("OK secure=true tls=TLSv1."));
            assertEquals("OK after", c.command("ECHO after"));
        }
    }

    @Test
    public void changingAListenerPortThroughConfigAdminRebindsItWithoutRestartingTheBundle() throws Exception {
        Bundle transport = bundle("dev.postwerk.postwerk-transport");
        long modified = transport.getLastModified();
        int first = PostwerkContainer.freePort();
        org.osgi.service.cm.Configuration configuration =
                configAdmin.getFactoryConfiguration("dev.postwerk.transport.probe", "itest", "?");
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put("name", "itest");
        properties.put("port", first);
        properties.put("tls", "implicit");
        configuration.update(properties);
        try {
            PostwerkContainer.await("first port answers TLS", TIMEOUT, () -> answersTls(first));

            int second = PostwerkContainer.freePort();
            properties.put("port", second);
            configuration.update(properties);
            PostwerkContainer.await("second port answers TLS", TIMEOUT, () -> answersTls(second));
            PostwerkContainer.await("first port closed", TIMEOUT, () -> !answers(first));
            assertEquals(Bundle.ACTIVE, transport.getState());
            assertEquals("the bundle was not restarted", modified, transport.getLastModified());
        } finally {
            configuration.delete();
        }
    }

    @Test
    public void updatingTheTransportBundleRebindsListeners() throws Exception {
        PostwerkContainer.await("probe port bound", TIMEOUT, () -> answers(shippedProbePort()));
        Bundle transport = bundle("dev.postwerk.postwerk-transport");
        transport.update();
        PostwerkContainer.await("transport active again", TIMEOUT, () -> transport.getState() == Bundle.ACTIVE);
        PostwerkContainer.await("probe port answers again", TIMEOUT, () -> greets(shippedProbePort()));
        PostwerkContainer.await("every Postwerk component satisfied", TIMEOUT, () -> unsatisfied().isEmpty());
    }

    /** The MIME bundle's parser reaches the Maildir store (optional, dynamic) and its cache works in Karaf. */
    @Test
    public void maildirStoreServesMessageStructuresParsedByTheMimeBundle() throws Exception {
        PostwerkContainer.await("a MessageParser service", TIMEOUT,
                () -> context.getServiceReference(MessageParser.class) != null);
        ServiceReference<MailboxStore> ref = context
                .getServiceReferences(MailboxStore.class, "(" + MailboxStore.NAME_PROPERTY + "=maildir)").iterator()
                .next();
        MailboxStore store = context.getService(ref);
        try (UserMailboxes mail = store.open("structure@itest.example")) {
            Mailbox inbox = mail.mailbox(MailboxStore.INBOX);
            byte[] raw = ("From: Carol <carol@example.net>\r\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n"
                    + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
                    + "hello\r\n--b\r\nContent-Type: application/pdf\r\n\r\nJVBERi0=\r\n--b--\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            long uid = inbox.append(MessageContent.ofBytes(raw), Flags.NONE, Optional.empty()).uid();
            PostwerkContainer.await("the store has bound the parser", TIMEOUT, () -> {
                try {
                    inbox.structure(uid);
                    return true;
                } catch (StoreException e) {
                    return false;
                }
            });
            MessageStructure s = inbox.structure(uid);
            assertEquals(Optional.of("=?UTF-8?Q?Gr=C3=BC=C3=9Fe?="), s.envelope().subject());
            assertEquals(2, s.body().parts().size());
            BodyPart pdf = s.part(2).orElseThrow();
            assertEquals("JVBERi0=", new String(raw, (int) pdf.bodyStart(), (int) pdf.size(), StandardCharsets.US_ASCII));
        } finally {
            context.ungetService(ref);
        }
    }

    @Test
    public void distributionIsBranded() throws Exception {
        assertEquals("postwerk", System.getProperty("karaf.name"));
        String branding = Files.readString(Path.of(System.getProperty("karaf.etc"), "branding.properties"),
                StandardCharsets.ISO_8859_1);
        assertTrue(branding.contains("Postwerk"));
        assertTrue("brand strings are filtered in", !branding.contains("${brand."));
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (b.getSymbolicName().equals(symbolicName)) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }

    private static boolean answers(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean greets(int port) {
        try (LineClient c = LineClient.connect("127.0.0.1", port, Duration.ofSeconds(5))) {
            String greeting = c.readLine();
            return greeting != null && greeting.startsWith("* OK");
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean answersTls(int port) {
        try (LineClient c = LineClient.connectTls("127.0.0.1", port, Duration.ofSeconds(5))) {
            return "* OK Postwerk transport probe ready (TLS)".equals(c.readLine());
        } catch (IOException e) {
            return false;
        }
    }

}
