package dev.postwerk.pop3.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * One POP3 listener ({@code dev.postwerk.pop3~NAME}); usually two: the plain port with STLS and
 * the implicit-TLS port (RFC 8314 §3.3).
 */
@ObjectClassDefinition(name = "Postwerk POP3 listener",
        description = "A POP3 server port (RFC 1939 with CAPA, UIDL, TOP, STLS and SASL) serving each user's INBOX. "
                + "One factory configuration per port, e.g. dev.postwerk.pop3~plain and dev.postwerk.pop3~pop3s.")
public @interface Pop3Config {

    @AttributeDefinition(name = "Name", description = "Listener name in logs and connection ids.")
    String name() default "pop3";

    @AttributeDefinition(name = "Bind address",
            description = "Address to listen on: * for every address, 127.0.0.1 for this machine only, or a host name.")
    String host() default "*";

    @AttributeDefinition(name = "Port", description = "TCP port; 110 and 995 are the standard ones (need privileges).",
            min = "0", max = "65535")
    int port() default 2110;

    @AttributeDefinition(name = "TLS",
            description = "none: plaintext only; starttls: plaintext until STLS (RFC 2595); implicit: TLS from the "
                    + "first byte (POP3S, RFC 8314).",
            options = {@Option(label = "none", value = "none"), @Option(label = "starttls", value = "starttls"),
                @Option(label = "implicit", value = "implicit")})
    String tls() default "starttls";

    @AttributeDefinition(name = "Key store",
            description = "PKCS#12 key store with the server key and certificate; empty uses the transport's default.")
    String keystore() default "";

    @AttributeDefinition(name = "Key store password", type = AttributeType.PASSWORD,
            description = "Password of the key store and its key.")
    String keystorePassword() default "";

    @AttributeDefinition(name = "Maximum connections", description = "Open connections allowed at once on this port.",
            min = "1")
    int maxConnections() default 1000;

    @AttributeDefinition(name = "Maximum connections per client address",
            description = "Open connections allowed at once from one client address.", min = "1")
    int maxConnectionsPerClient() default 20;

    @AttributeDefinition(name = "Idle timeout (seconds)",
            description = "A silent connection is logged out without deleting anything. RFC 1939 §3 asks for at "
                    + "least 600 (10 minutes).", min = "1")
    int idleTimeoutSeconds() default 600;

    @AttributeDefinition(name = "Maximum line length (octets)",
            description = "Longest command or SASL response line, CRLF included. RFC 2449 §4 allows 255 for "
                    + "commands; SASL responses may be longer.", min = "256")
    int maxLineLength() default 2048;

    @AttributeDefinition(name = "Maximum errors",
            description = "Unknown commands, bad arguments and failed logins allowed before the connection is "
                    + "closed.", min = "1")
    int maxErrors() default 10;

    @AttributeDefinition(name = "Plaintext authentication without TLS",
            description = "Allows USER/PASS and the SASL PLAIN and LOGIN mechanisms before TLS. Off by default "
                    + "(RFC 2595 §2.2, RFC 8314). For testing on one machine, set it to true together with "
                    + "host = 127.0.0.1 so that no password ever crosses a network in the clear.")
    boolean allowPlaintextWithoutTls() default false;

    @AttributeDefinition(name = "Expire policy",
            description = "What CAPA EXPIRE announces (RFC 2449 §6.7): NEVER, or the minimum days messages stay on "
                    + "the server. 0 means clients may not leave mail on the server: messages retrieved with RETR "
                    + "are deleted at QUIT. Days above 0 are only announced; removing old mail is a retention job's "
                    + "task, not this listener's.")
    String expire() default "NEVER";

    @AttributeDefinition(name = "Login delay (seconds)",
            description = "Minimum time between two logins of one user (RFC 2449 §6.5 LOGIN-DELAY); a login sooner "
                    + "gets -ERR [LOGIN-DELAY]. 0: no delay, and LOGIN-DELAY is not announced.", min = "0")
    int loginDelaySeconds() default 0;

    @AttributeDefinition(name = "Implementation",
            description = "Text of CAPA IMPLEMENTATION (RFC 2449 §6.9); empty announces none.")
    String implementation() default "Postwerk";

    @AttributeDefinition(name = "Server name",
            description = "Name the server gives SASL mechanisms that need one; empty uses the address the client "
                    + "connected to.")
    String serverName() default "";

    @AttributeDefinition(name = "Mail store",
            description = "Filter selecting the MailboxStore, e.g. (store.name=maildir). The highest ranked match "
                    + "serves; without one, logins get -ERR [SYS/TEMP].")
    String store_target() default "(store.name=*)";

    @AttributeDefinition(name = "SASL service",
            description = "Filter selecting the SaslAuthenticator (which itself chooses the user directory through "
                    + "its directory.target). Without one, logins get -ERR [SYS/TEMP].")
    String sasl_target() default "(objectClass=*)";
}
