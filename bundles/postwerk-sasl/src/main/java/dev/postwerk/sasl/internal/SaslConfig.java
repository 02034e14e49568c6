package dev.postwerk.sasl.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Postwerk SASL",
        description = "The SASL mechanisms SMTP AUTH, IMAP AUTHENTICATE and POP3 AUTH offer. Whether PLAIN and LOGIN "
                + "run without TLS is each listener's setting, off by default.")
public @interface SaslConfig {

    @AttributeDefinition(name = "Mechanisms",
            description = "Offered in this order where allowed. Known: SCRAM-SHA-256, PLAIN, LOGIN.")
    String[] mechanisms() default {"SCRAM-SHA-256", "PLAIN", "LOGIN"};

    @AttributeDefinition(name = "Directory", description = "Filter selecting the user directory.")
    String directory_target() default "(directory.name=file)";
}
