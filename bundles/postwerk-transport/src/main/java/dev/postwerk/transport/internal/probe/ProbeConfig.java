package dev.postwerk.transport.internal.probe;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

@ObjectClassDefinition(name = "Postwerk transport probe",
        description = "A diagnostic listener that proves the transport (framing, limits, STARTTLS, implicit TLS) "
                + "without any mail protocol: greets, echoes, reads literals and dot-terminated blocks.")
public @interface ProbeConfig {

    @AttributeDefinition(name = "Name", description = "Listener name in logs.")
    String name() default "probe";

    @AttributeDefinition(name = "Bind address", description = "Address to listen on; * for all.")
    String host() default "127.0.0.1";

    @AttributeDefinition(name = "Port")
    int port() default 2599;

    @AttributeDefinition(name = "TLS", options = {@Option(value = "none"), @Option(value = "starttls"),
        @Option(value = "implicit")})
    String tls() default "starttls";

    @AttributeDefinition(name = "Key store", description = "PKCS#12 key store; empty uses the transport's default.")
    String keystore() default "";

    @AttributeDefinition(name = "Key store password", type = AttributeType.PASSWORD)
    String keystorePassword() default "";

    @AttributeDefinition(name = "Maximum connections")
    int maxConnections() default 100;

    @AttributeDefinition(name = "Maximum connections per client address")
    int maxConnectionsPerClient() default 10;

    @AttributeDefinition(name = "Idle timeout (seconds)")
    int idleTimeoutSeconds() default 60;

    @AttributeDefinition(name = "Maximum line length (octets, CRLF included)")
    int maxLineLength() default 1000;

    @AttributeDefinition(name = "Maximum block size (octets)", description = "Largest OCTETS or DATA block accepted.")
    long maxBlockOctets() default 10485760;

    @AttributeDefinition(name = "Run on the I/O thread", description = "Serve sessions as a non-blocking protocol:"
            + " commands run on the network I/O thread, and SLEEP and DATA OFFLOAD hand their work to a worker.")
    boolean nonBlocking() default false;
}
