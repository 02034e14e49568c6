package dev.postwerk.mime.internal;

import java.io.IOException;
import java.io.InputStream;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;

import dev.postwerk.api.mail.MessageParser;
import dev.postwerk.api.mail.MessageStructure;

/**
 * The {@link MessageParser} service: one streaming pass over the raw message with a
 * {@link StructureScanner}; no copy of the message is held in memory.
 *
 * <p>Public (in a package that is not exported) so that other bundles' tests and benchmarks can
 * use the real parser outside OSGi.
 */
@Component(service = MessageParser.class, configurationPid = MimeMessageParser.PID)
@Designate(ocd = MimeParserConfig.class)
public class MimeMessageParser implements MessageParser {

    static final String PID = "dev.postwerk.mime";

    private volatile ParserLimits limits;

    /** With the default limits: for tests and embedding. */
    public MimeMessageParser() {
        this(ParserLimits.DEFAULT);
    }

    MimeMessageParser(ParserLimits limits) {
        this.limits = limits;
    }

    @Activate
    public MimeMessageParser(MimeParserConfig config) {
        this(limitsOf(config));
    }

    /** New limits apply to the next message parsed; a store's cached structures stay as they were made. */
    @Modified
    void modified(MimeParserConfig config) {
        limits = limitsOf(config);
    }

    private static ParserLimits limitsOf(MimeParserConfig config) {
        return new ParserLimits(config.maxNestingDepth(), config.maxParts(), config.maxFieldOctets());
    }

    @Override
    public MessageStructure parse(InputStream raw) throws IOException {
        return new StructureScanner(raw, limits).message();
    }
}
