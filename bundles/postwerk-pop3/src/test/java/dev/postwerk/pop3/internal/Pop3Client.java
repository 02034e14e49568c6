package dev.postwerk.pop3.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import dev.postwerk.testkit.net.LineClient;

/** POP3 on top of the test kit's line client: multi-line responses and logins. */
final class Pop3Client implements AutoCloseable {

    final LineClient line;

    private Pop3Client(LineClient line) {
        this.line = line;
    }

    static Pop3Client connect(int port, boolean tls) throws IOException {
        return new Pop3Client(tls ? LineClient.connectTls("127.0.0.1", port, Pop3Harness.TIMEOUT)
                : LineClient.connect("127.0.0.1", port, Pop3Harness.TIMEOUT));
    }

    String command(String command) throws IOException {
        return line.command(command);
    }

    String readLine() throws IOException {
        return line.readLine();
    }

    Pop3Client send(String command) throws IOException {
        line.send(command);
        return this;
    }

    String expectOk() throws IOException {
        String reply = line.readLine();
        assertTrue(reply != null && reply.startsWith("+OK"), "expected +OK, got " + reply);
        return reply;
    }

    /** Sends a command that must answer +OK. */
    String expectOkAfter(String command) throws IOException {
        send(command);
        return expectOk();
    }

    /** Sends a command whose answer is multi-line; returns the status line and the un-stuffed lines. */
    List<String> multiLine(String command) throws IOException {
        line.send(command);
        return readMultiLine();
    }

    List<String> readMultiLine() throws IOException {
        List<String> lines = new ArrayList<>();
        String status = line.readLine();
        lines.add(status);
        if (status == null || !status.startsWith("+OK")) {
            return lines;
        }
        while (true) {
            String l = line.readLine();
            if (l == null) {
                throw new IOException("connection closed inside a multi-line response");
            }
            if (l.equals(".")) {
                return lines;
            }
            lines.add(l.startsWith(".") ? l.substring(1) : l);
        }
    }

    /** Reads a multi-line body exactly as sent, terminating line included. */
    byte[] readRawBody() throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        byte[] last = new byte[5];
        long count = 0;
        while (true) {
            byte[] one = line.readOctets(1);
            if (one.length == 0) {
                throw new IOException("connection closed inside a multi-line response");
            }
            raw.write(one[0]);
            System.arraycopy(last, 1, last, 0, 4);
            last[4] = one[0];
            count++;
            String tail = new String(last, StandardCharsets.ISO_8859_1);
            if ((count == 3 && tail.endsWith(".\r\n")) || (count >= 5 && tail.equals("\r\n.\r\n"))) {
                return raw.toByteArray();
            }
        }
    }

    /** USER/PASS login that must succeed. */
    Pop3Client login(String user, String password) throws IOException {
        String u = command("USER " + user);
        assertTrue(u.startsWith("+OK"), u);
        String p = command("PASS " + password);
        assertTrue(p.startsWith("+OK"), p);
        return this;
    }

    /** AUTH PLAIN with an initial response. */
    String authPlain(String user, String password) throws IOException {
        String ir = Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
        return command("AUTH PLAIN " + ir);
    }

    boolean closedByServer() {
        return line.closedByServer();
    }

    @Override
    public void close() throws IOException {
        line.close();
    }
}
