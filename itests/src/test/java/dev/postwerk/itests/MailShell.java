package dev.postwerk.itests;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;

/** Runs shell commands in the container as an admin would type them, and returns their output. */
final class MailShell {

    /** What a command printed, and the failure it raised (null when it succeeded). */
    record Result(String output, Exception failure) {
        boolean succeeded() {
            return failure == null;
        }
    }

    private final SessionFactory sessions;

    MailShell(SessionFactory sessions) {
        this.sessions = sessions;
    }

    Result run(String command) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Session session = sessions.create(new ByteArrayInputStream(new byte[0]), out, out);
        Exception failure = null;
        try {
            // commands print to System.out; the session routes it to `out` for this thread
            session.execute(command);
        } catch (Exception e) {
            failure = e;
        } finally {
            session.close();
        }
        out.flush();
        return new Result(bytes.toString(StandardCharsets.UTF_8), failure);
    }
}
