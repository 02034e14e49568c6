package dev.postwerk.transport.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Postwerk transport",
        description = "Network I/O shared by every protocol listener: threads and the default TLS certificate.")
public @interface TransportConfig {

    @AttributeDefinition(name = "I/O processors",
            description = "NIO selector threads shared by all listeners; 0 means one per core plus one.")
    int ioProcessors() default 0;

    @AttributeDefinition(name = "Worker threads per listener",
            description = "Most threads running one listener's protocol work (commands, disk, password checks) at "
                    + "once. Connections wait their turn beyond this; no thread is held by an idle connection.")
    int workerThreads() default 64;

    @AttributeDefinition(name = "Default key store",
            description = "PKCS#12 key store used by listeners that name none. Empty: a self-signed "
                    + "certificate is generated on first start under <data>/tls/.")
    String keystore() default "";

    @AttributeDefinition(name = "Default key store password", type = AttributeType.PASSWORD,
            description = "Password of the default key store (and its key).")
    String keystorePassword() default "";

    @AttributeDefinition(name = "Host name",
            description = "Name put in the generated certificate. Empty: this machine's host name.")
    String hostName() default "";

    @AttributeDefinition(name = "Input queue limit (octets)",
            description = "Input received but not yet processed per connection before reading from it pauses.")
    int inputQueueLimit() default 262144;
}
