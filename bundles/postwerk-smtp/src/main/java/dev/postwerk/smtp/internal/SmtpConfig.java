package dev.postwerk.smtp.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

@ObjectClassDefinition(name = "Postwerk SMTP listener",
        description = "One SMTP listener (factory configuration dev.postwerk.smtp~NAME): MX, submission or SMTPS.")
public @interface SmtpConfig {

    @AttributeDefinition(name = "Name", description = "Listener name in logs and Received: headers.")
    String name() default "mx";

    @AttributeDefinition(name = "Role", description = "mx: accepts mail for local domains from anyone and relays "
            + "only for authenticated clients or trusted networks. submission: AUTH required before MAIL.",
            options = {@Option(value = "mx"), @Option(value = "submission")})
    String role() default "mx";

    @AttributeDefinition(name = "Bind address", description = "Address to listen on; * for all.")
    String host() default "*";

    @AttributeDefinition(name = "Port")
    int port() default 2525;

    @AttributeDefinition(name = "TLS", description = "starttls (RFC 3207), implicit (SMTPS, RFC 8314) or none.",
            options = {@Option(value = "none"), @Option(value = "starttls"), @Option(value = "implicit")})
    String tls() default "starttls";

    @AttributeDefinition(name = "Key store", description = "PKCS#12 key store; empty uses the transport's default.")
    String keystore() default "";

    @AttributeDefinition(name = "Key store password", type = AttributeType.PASSWORD)
    String keystorePassword() default "";

    @AttributeDefinition(name = "Host name", description = "Name in the greeting and Received: headers; empty: this machine's name.")
    String hostname() default "";

    @AttributeDefinition(name = "Maximum connections")
    int maxConnections() default 1000;

    @AttributeDefinition(name = "Maximum connections per client address")
    int maxConnectionsPerClient() default 50;

    @AttributeDefinition(name = "Idle timeout (s)", description = "RFC 5321 §4.5.3.2 asks servers to wait at least 5 minutes.")
    int idleTimeoutSeconds() default 300;

    @AttributeDefinition(name = "Maximum session length (s)")
    int maxSessionSeconds() default 3600;

    @AttributeDefinition(name = "Maximum message size (octets)", description = "Advertised with SIZE (RFC 1870).")
    long maxMessageSize() default 52428800;

    @AttributeDefinition(name = "Maximum recipients per message", description = "Past it: 452 4.5.3.")
    int maxRecipients() default 1000;

    @AttributeDefinition(name = "Maximum errors per session", description = "Past it the session ends with 421.")
    int maxErrors() default 10;

    @AttributeDefinition(name = "Maximum command line (octets, CRLF included)", description = "RFC 5321 §4.5.3.1.4: 512.")
    int maxCommandLine() default 512;

    @AttributeDefinition(name = "Maximum AUTH line (octets)", description = "RFC 4954 §4: at least 12288 for SASL responses.")
    int maxAuthLine() default 12288;

    @AttributeDefinition(name = "Maximum text line (octets, CRLF included)",
            description = "RFC 5321 §4.5.3.1.6: 1000. 0: no limit.")
    int maxTextLine() default 1000;

    @AttributeDefinition(name = "Maximum Received: headers", description = "More means a mail loop: 554 5.4.6.")
    int maxReceivedHeaders() default 50;

    @AttributeDefinition(name = "Bare CR or LF in DATA", description = "reject (550) or normalize to CRLF. "
            + "The end of data is CRLF.CRLF only, either way (SMTP smuggling). BDAT text (not BINARYMIME) "
            + "with bare line ends is always refused.",
            options = {@Option(value = "reject"), @Option(value = "normalize")})
    String bareLineEnds() default "reject";

    @AttributeDefinition(name = "Trusted networks", description = "Clients that may relay without AUTH, as CIDR blocks.")
    String[] trustedNetworks() default {"127.0.0.0/8", "::1/128"};

    @AttributeDefinition(name = "Allow AUTH without TLS",
            description = "Offer and accept AUTH (also plaintext mechanisms) before STARTTLS. Only for local testing.")
    boolean allowAuthWithoutTls() default false;

    @AttributeDefinition(name = "VRFY", description = "disabled: 252 (RFC 5321 §3.5.3); enabled: answers whether the user exists.",
            options = {@Option(value = "disabled"), @Option(value = "enabled")})
    String vrfy() default "disabled";

    @AttributeDefinition(name = "ETRN", description = "Let clients start a queue run for a domain (RFC 1985); "
            + "only trusted networks and authenticated clients may, others get 459.")
    boolean etrn() default true;
}
