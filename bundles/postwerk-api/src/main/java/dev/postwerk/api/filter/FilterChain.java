package dev.postwerk.api.filter;

import dev.postwerk.api.mail.Envelope;
import dev.postwerk.api.mail.MessageContent;
import dev.postwerk.api.mail.Origin;
import dev.postwerk.api.mail.Recipient;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Every registered {@link MailFilter}, run as one chain: ordered by {@code service.ranking}
 * (higher first, ties to the lower {@code service.id}), re-read for each call, each filter
 * given a time limit. The answer is the first verdict that is not {@link Verdict.Proceed}, or a
 * {@link Verdict.Proceed} carrying every filter's changes merged in chain order. A filter that
 * throws or runs past its limit turns into {@code 451 4.3.0} ({@link Verdict.TempFail}) and is
 * logged, so mail is never lost. SMTP calls it at each stage and the queue at delivery.
 */
@ProviderType
public interface FilterChain {

    Verdict onConnect(Origin origin);

    Verdict onHelo(Origin origin);

    Verdict onMailFrom(Envelope envelope);

    Verdict onRcptTo(Envelope envelope, Recipient recipient);

    Verdict onData(Envelope envelope, MessageContent content);

    Verdict onDelivery(Envelope envelope, Recipient recipient, MessageContent content);
}
