package dev.postwerk.itests.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The built distribution as an admin runs it: unpacked into its own folder, configured by
 * writing files into {@code etc/}, started with {@code bin/karaf server} as a separate process,
 * and stopped cleanly or killed with SIGKILL (crash tests). Only loopback ports are used.
 */
public final class RunningServer implements AutoCloseable {

    private final Path home;
    private Process karaf;

    private RunningServer(Path home) {
        this.home = home;
    }

    /** Unpacks a fresh copy of the distribution under {@code target/servers/<name>}. */
    public static RunningServer unpack(String name) throws IOException, InterruptedException {
        Path archive = Path.of(System.getProperty("postwerk.distribution"));
        Path root = Path.of(System.getProperty("project.build.directory", "target"), "servers", name);
        deleteTree(root);
        Files.createDirectories(root);
        run(root, "tar", "xzf", archive.toString(), "-C", root.toString());
        try (Stream<Path> children = Files.list(root)) {
            return new RunningServer(children.filter(Files::isDirectory).findFirst()
                    .orElseThrow(() -> new IOException("empty archive " + archive)));
        }
    }

    public Path home() {
        return home;
    }

    public Path etc(String file) {
        return home.resolve("etc").resolve(file);
    }

    /** Writes (or replaces) a configuration file in etc/. */
    public RunningServer configure(String file, String content) throws IOException {
        Files.writeString(etc(file), content, StandardCharsets.UTF_8);
        return this;
    }

    /** Changes keys of an existing etc/*.cfg (simple key = value lines). */
    public RunningServer set(String file, Map<String, String> values) throws IOException {
        StringBuilder sb = new StringBuilder();
        java.util.Set<String> done = new java.util.HashSet<>();
        for (String line : Files.readAllLines(etc(file), StandardCharsets.UTF_8)) {
            String key = line.contains("=") && !line.startsWith("#") ? line.substring(0, line.indexOf('=')).trim() : null;
            if (key != null && values.containsKey(key)) {
                sb.append(key).append(" = ").append(values.get(key)).append('\n');
                done.add(key);
            } else {
                sb.append(line).append('\n');
            }
        }
        values.forEach((k, v) -> {
            if (!done.contains(k)) {
                sb.append(k).append(" = ").append(v).append('\n');
            }
        });
        Files.writeString(etc(file), sb.toString(), StandardCharsets.UTF_8);
        return this;
    }

    public void remove(String file) throws IOException {
        Files.deleteIfExists(etc(file));
    }

    /** Starts {@code bin/karaf server} and waits until {@code port} accepts connections. */
    public RunningServer start(int port, Duration timeout) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/karaf").toString(), "server").directory(home.toFile())
                .redirectErrorStream(true).redirectOutput(home.resolve("console.log").toFile());
        if (System.getenv("JAVA_HOME") == null) {
            pb.environment().put("JAVA_HOME", Path.of(System.getProperty("java.home")).toString());
        }
        karaf = pb.start();
        awaitPort(port, timeout);
        return this;
    }

    public void awaitPort(int port, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (!listening(port)) {
            if (Instant.now().isAfter(deadline) || (karaf != null && !karaf.isAlive())) {
                throw new IllegalStateException("port " + port + " not listening; see " + home.resolve("data/log/karaf.log"));
            }
            pause(100);
        }
    }

    public static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The Karaf JVM (a child of the bin/karaf script). */
    public Optional<ProcessHandle> jvm() {
        if (karaf == null) {
            return Optional.empty();
        }
        return karaf.descendants().filter(p -> p.info().command().map(c -> c.endsWith("java")).orElse(false))
                .findFirst().or(() -> Optional.of(karaf.toHandle()));
    }

    /** SIGKILL to the JVM: no shutdown hook, no flush, no goodbye (the crash of the crash test). */
    public void kill() {
        jvm().ifPresent(ProcessHandle::destroyForcibly);
        if (karaf != null) {
            karaf.destroyForcibly();
            waitFor(karaf);
        }
        karaf = null;
    }

    /** SIGTERM: Karaf stops its bundles in order and exits. */
    public void stop() {
        if (karaf == null) {
            return;
        }
        jvm().ifPresent(ProcessHandle::destroy);
        if (!waitFor(karaf)) {
            kill();
        }
        karaf = null;
    }

    private static boolean waitFor(Process p) {
        try {
            return p.waitFor(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A port free on loopback right now. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed");
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public void close() {
        stop();
    }
}
