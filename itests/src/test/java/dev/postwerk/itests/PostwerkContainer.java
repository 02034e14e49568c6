package dev.postwerk.itests;

import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.systemTimeout;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.ops4j.pax.exam.options.extra.VMOption;

/**
 * How every Pax Exam test boots Postwerk: our own built distribution archive (not stock Karaf
 * plus features: STACK.md pitfall 6), offline against Maven's local repository (pitfall 7), with
 * the JDK 9+ flags bin/karaf would pass (pitfall 8).
 */
public final class PostwerkContainer {

    private PostwerkContainer() {
    }

    /**
     * Listener configuration files of the distribution whose ports each test container moves to
     * free ones, so that tests never collide with a server already running on this machine.
     */
    public static final List<String> LISTENERS = List.of("dev.postwerk.smtp-mx.cfg", "dev.postwerk.smtp-submission.cfg",
            "dev.postwerk.smtp-smtps.cfg", "dev.postwerk.pop3-plain.cfg", "dev.postwerk.pop3-pop3s.cfg",
            "dev.postwerk.transport.probe-diag.cfg");

    /** The port a listener got in this container (read inside the container). */
    public static int port(String cfgFile) {
        return Integer.getInteger("postwerk.itest.port." + cfgFile);
    }

    public static Option[] options(Option... extra) {
        String distribution = System.getProperty("postwerk.distribution");
        String karafVersion = System.getProperty("karaf.version");
        String localRepository = System.getProperty("maven.repo.local");
        String buildDirectory = System.getProperty("project.build.directory", "target");
        List<Option> options = new ArrayList<>(List.of(
                karafDistributionConfiguration()
                        .frameworkUrl(new File(distribution).toURI().toString())
                        .name("Postwerk")
                        .unpackDirectory(new File(buildDirectory, "exam"))
                        .useDeployFolder(false),
                configureConsole().ignoreLocalConsole().ignoreRemoteShell(),
                logLevel(LogLevel.INFO),
                systemTimeout(120_000),
                keepRuntimeFolder(),
                editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.repositories", ""),
                editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.localRepository",
                        localRepository),
                editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.defaultRepositories",
                        "file:${karaf.home}/${karaf.default.repository}@id=system.repository@snapshots,"
                                + new File(localRepository).toURI() + "@id=local@snapshots"),
                new VMOption("--add-reads=java.xml=java.logging"),
                new VMOption("--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED"),
                new VMOption("--patch-module"),
                new VMOption("java.base=lib/endorsed/org.apache.karaf.specs.locator-" + karafVersion + ".jar"),
                new VMOption("--patch-module"),
                new VMOption("java.xml=lib/endorsed/org.apache.karaf.specs.java.xml-" + karafVersion + ".jar"),
                new VMOption("--add-opens"), new VMOption("java.base/java.security=ALL-UNNAMED"),
                new VMOption("--add-opens"), new VMOption("java.base/java.net=ALL-UNNAMED"),
                new VMOption("--add-opens"), new VMOption("java.base/java.lang=ALL-UNNAMED"),
                new VMOption("--add-opens"), new VMOption("java.base/java.util=ALL-UNNAMED"),
                new VMOption("--add-opens"), new VMOption("java.naming/javax.naming.spi=ALL-UNNAMED"),
                new VMOption("--add-opens"), new VMOption("java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED"),
                new VMOption("--add-exports=java.base/sun.net.www.protocol.file=ALL-UNNAMED"),
                new VMOption("--add-exports=java.base/sun.net.www.protocol.http=ALL-UNNAMED"),
                new VMOption("--add-exports=java.base/sun.net.www.protocol.https=ALL-UNNAMED"),
                new VMOption("--add-exports=java.base/sun.net.www.protocol.jar=ALL-UNNAMED"),
                new VMOption("--add-exports=java.base/sun.net.www.content.text=ALL-UNNAMED"),
                new VMOption("--add-exports=jdk.xml.dom/org.w3c.dom.html=ALL-UNNAMED"),
                new VMOption("--add-exports=jdk.naming.rmi/com.sun.jndi.url.rmi=ALL-UNNAMED"),
                new VMOption("-classpath"),
                new VMOption("lib/jdk9plus/*" + File.pathSeparator + "lib/boot/*"),
                mavenBundle("dev.postwerk", "postwerk-testkit", System.getProperty("postwerk.version"))));
        for (String cfg : LISTENERS) {
            int port = freeOrFail();
            options.add(editConfigurationFilePut("etc/" + cfg, "port", String.valueOf(port)));
            options.add(org.ops4j.pax.exam.CoreOptions.systemProperty("postwerk.itest.port." + cfg).value(String.valueOf(port)));
        }
        options.add(editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", String.valueOf(freeOrFail())));
        options.addAll(List.of(extra));
        return options.toArray(new Option[0]);
    }

    /**
     * Waits until Karaf's boot features are installed and every Postwerk bundle is active:
     * Pax Exam starts the tests while the boot is still going on.
     */
    public static void awaitStarted(org.osgi.framework.BundleContext context) {
        await("Postwerk bundles active", Duration.ofSeconds(60), () -> {
            int found = 0;
            for (org.osgi.framework.Bundle b : context.getBundles()) {
                if (b.getSymbolicName() != null && b.getSymbolicName().startsWith("dev.postwerk.")) {
                    if (b.getState() != org.osgi.framework.Bundle.ACTIVE) {
                        return false;
                    }
                    found++;
                }
            }
            return found >= EXPECTED_BUNDLES;
        });
    }

    /** Postwerk bundles the "postwerk" feature installs (api, transport, store-maildir, auth-file, sasl, shell, filter-chain, queue, smtp, pop3). */
    public static final int EXPECTED_BUNDLES = 10;

    private static int freeOrFail() {
        try {
            return freePort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A port nobody listens on right now. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Waits for a condition with a bound; fails the test when it does not come true in time. */
    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what);
            }
        }
    }

}
