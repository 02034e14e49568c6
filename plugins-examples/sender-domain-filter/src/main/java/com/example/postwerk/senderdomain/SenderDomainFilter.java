package com.example.postwerk.senderdomain;

import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import dev.postwerk.api.filter.MailFilter;
import dev.postwerk.api.filter.Verdict;
import dev.postwerk.api.mail.Envelope;
import dev.postwerk.api.mail.MessageContent;

/**
 * Refuses mail whose envelope sender is in a configured domain (or a subdomain of one), at MAIL
 * FROM so the message is never transferred, and adds a header to the mail it lets through.
 *
 * <p>The whole contract: register {@link MailFilter} with a {@code service.ranking} (here 5000, the
 * 1000-9999 "policy" band), override the stages you need, return a {@link Verdict}. Installing,
 * updating or stopping this bundle takes effect on the next message.
 */
@Component(service = MailFilter.class, configurationPid = "com.example.postwerk.senderdomain",
        property = "service.ranking:Integer=5000")
@Designate(ocd = SenderDomainFilter.Config.class)
public class SenderDomainFilter implements MailFilter {

    @ObjectClassDefinition(name = "Example: sender domain filter")
    public @interface Config {
        @AttributeDefinition(name = "Refused domains", description = "Sender domains to refuse, comma-separated.")
        String[] refusedDomains() default {"spam.example"};

        @AttributeDefinition(name = "Header", description = "Header field added to accepted mail; empty for none.")
        String header() default "X-Sender-Domain-Check";
    }

    private volatile Set<String> refused = Set.of();
    private volatile String header = "";

    @Activate
    @Modified
    void configure(Config config) {
        refused = Stream.of(config.refusedDomains()).flatMap(s -> Stream.of(s.split(","))).map(String::trim)
                .filter(s -> !s.isEmpty()).map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
        header = config.header().trim();
    }

    @Override
    public Verdict onMailFrom(Envelope envelope) {
        if (envelope.sender().isEmpty()) {
            return Verdict.proceed(); // bounces (null sender) are never refused here
        }
        String domain = envelope.sender().get().domain();
        for (String d : refused) {
            if (domain.equals(d) || domain.endsWith("." + d)) {
                return Verdict.reject(550, "5.7.1", "Mail from " + d + " is not accepted here");
            }
        }
        return Verdict.proceed();
    }

    @Override
    public Verdict onData(Envelope envelope, MessageContent content) {
        return header.isEmpty() ? Verdict.proceed() : Verdict.proceedWith(Verdict.Changes.addHeader(header, "passed"));
    }
}
