package dev.postwerk.mime.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Postwerk MIME structure parser",
        description = "Reads the ENVELOPE fields and MIME structure of messages for IMAP FETCH. The limits bound "
                + "the work hostile mail can cause; what lies beyond them is served as plain text.")
public @interface MimeParserConfig {

    @AttributeDefinition(name = "Maximum nesting depth",
            description = "Multiparts and embedded messages nested deeper than this are not descended into.", min = "1")
    int maxNestingDepth() default 100;

    @AttributeDefinition(name = "Maximum parts per message",
            description = "MIME parts listed per message; further parts are not listed.", min = "1")
    int maxParts() default 10_000;

    @AttributeDefinition(name = "Maximum header field octets",
            description = "Octets of one header field value kept (the rest is cut off).", min = "1024")
    int maxFieldOctets() default 256 * 1024;
}
