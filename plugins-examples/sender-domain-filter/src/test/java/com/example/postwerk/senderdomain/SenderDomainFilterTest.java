package com.example.postwerk.senderdomain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.lang.annotation.Annotation;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.postwerk.api.filter.Verdict;
import dev.postwerk.api.mail.Envelope;
import dev.postwerk.api.mail.MailAddress;
import dev.postwerk.api.mail.MessageContent;
import dev.postwerk.api.mail.Origin;

class SenderDomainFilterTest {

    private static Envelope from(String sender) {
        Origin origin = new Origin("t1", "mx", new InetSocketAddress("192.0.2.1", 25), Optional.of("client.example"),
                Optional.empty(), Optional.empty());
        return new Envelope(sender.isEmpty() ? Optional.empty() : Optional.of(MailAddress.parse(sender)), List.of(),
                origin, Map.of());
    }

    private static SenderDomainFilter filter(String... refused) {
        SenderDomainFilter f = new SenderDomainFilter();
        f.configure(new SenderDomainFilter.Config() {
            @Override
            public String[] refusedDomains() {
                return refused;
            }

            @Override
            public String header() {
                return "X-Checked";
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return SenderDomainFilter.Config.class;
            }
        });
        return f;
    }

    @Test
    void refusesConfiguredDomainsAndTheirSubdomains() {
        SenderDomainFilter f = filter("spam.example, junk.example");
        assertEquals(550, assertInstanceOf(Verdict.Reject.class, f.onMailFrom(from("a@spam.example"))).reply().code());
        assertInstanceOf(Verdict.Reject.class, f.onMailFrom(from("a@mx.junk.example")));
        assertEquals(Verdict.proceed(), f.onMailFrom(from("a@notspam.example")));
        assertEquals(Verdict.proceed(), f.onMailFrom(from("")), "the null sender is never refused");
    }

    @Test
    void marksAcceptedMail() {
        Verdict v = filter().onData(from("a@ok.example"), MessageContent.ofBytes(new byte[0]));
        assertEquals("X-Checked", assertInstanceOf(Verdict.Proceed.class, v).changes().addHeaders().get(0).name());
    }
}
