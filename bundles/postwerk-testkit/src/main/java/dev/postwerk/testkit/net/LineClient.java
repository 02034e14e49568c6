package dev.postwerk.testkit.net;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyManagementException;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Duration;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A blocking test client for line protocols (SMTP, POP3, IMAP, the transport probe) over a real
 * socket: write raw bytes or CRLF lines, read lines, upgrade to TLS in place (STARTTLS) or start
 * in TLS. Every read has a timeout so a broken server fails the test instead of hanging it.
 */
public final class LineClient implements AutoCloseable {

    private Socket socket;
    private InputStream in;
    private OutputStream out;

    private LineClient(Socket socket) throws IOException {
        use(socket);
    }

    /** Connects in plaintext. */
    public static LineClient connect(String host, int port, Duration timeout) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
        socket.setSoTimeout((int) timeout.toMillis());
        return new LineClient(socket);
    }

    /** Connects with implicit TLS, trusting any certificate (tests of self-signed servers). */
    public static LineClient connectTls(String host, int port, Duration timeout, String... protocols)
            throws IOException {
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
        plain.setSoTimeout((int) timeout.toMillis());
        LineClient client = new LineClient(plain);
        client.upgradeToTls(protocols);
        return client;
    }

    private void use(Socket s) throws IOException {
        this.socket = s;
        this.in = s.getInputStream();
        this.out = s.getOutputStream();
    }

    /** Runs the TLS handshake on the current connection (after the server's go-ahead). */
    public LineClient upgradeToTls(String... protocols) throws IOException {
        SSLSocketFactory factory = trustingContext().getSocketFactory();
        SSLSocket tls = (SSLSocket) factory.createSocket(socket, socket.getInetAddress().getHostAddress(),
                socket.getPort(), true);
        if (protocols.length > 0) {
            tls.setEnabledProtocols(protocols);
        }
        tls.setUseClientMode(true);
        tls.startHandshake();
        use(tls);
        return this;
    }

    /** The negotiated TLS protocol, or null in plaintext. */
    public String tlsProtocol() {
        return socket instanceof SSLSocket s ? s.getSession().getProtocol() : null;
    }

    public static SSLContext trustingContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return context;
        } catch (NoSuchAlgorithmException | KeyManagementException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the line and CRLF. */
    public LineClient send(String line) throws IOException {
        return raw((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Writes bytes exactly as given. */
    public LineClient raw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    public LineClient raw(String text) throws IOException {
        return raw(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads one line (up to LF), without its CRLF; null at end of stream. */
    public String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.UTF_8);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
    }

    /** True when input has arrived that was not read yet (plaintext connections). */
    public boolean hasInput() throws IOException {
        return in.available() > 0;
    }

    /** Sends a line and reads the one-line reply. */
    public String command(String line) throws IOException {
        send(line);
        return readLine();
    }

    /** Reads exactly {@code n} octets. */
    public byte[] readOctets(int n) throws IOException {
        return in.readNBytes(n);
    }

    /** True once the server closed the connection (reads until end of stream, within the timeout). */
    public boolean closedByServer() {
        try {
            while (true) {
                int b = in.read();
                if (b == -1) {
                    return true;
                }
            }
        } catch (IOException e) {
            return e.getMessage() != null && !e.getMessage().contains("timed out");
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
