package dev.postwerk.api.queue;

import java.util.List;

import dev.postwerk.api.mail.Envelope;
import dev.postwerk.api.mail.MessageContent;
import dev.postwerk.api.mail.Recipient;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Sends mail to other domains (the relay bundle: MX lookup, TLS, SMTP client). The queue calls it
 * from its delivery workers with the recipients of one domain; while no relay is registered,
 * remote mail stays queued.
 */
@ConsumerType
public interface RelayTransport {

    /**
     * Tries to deliver {@code content} to {@code recipients}, all in {@code domain}. May block
     * (DNS, network). Returns one outcome per recipient, in the same order.
     */
    List<DeliveryOutcome> deliver(String domain, Envelope envelope, List<Recipient> recipients, MessageContent content);
}
