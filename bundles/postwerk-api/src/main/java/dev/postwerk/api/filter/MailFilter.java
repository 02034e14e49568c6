package dev.postwerk.api.filter;

import dev.postwerk.api.mail.Envelope;
import dev.postwerk.api.mail.MessageContent;
import dev.postwerk.api.mail.Origin;
import dev.postwerk.api.mail.Recipient;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A mail filter: a DS component registering this interface. The chain is every registered filter
 * ordered by {@code service.ranking} (higher first), re-read for each transaction. A filter
 * implements only the stages it cares about; the defaults let the message {@link Verdict#proceed()}.
 * Filters may block (DNS, disk) but are given a time limit; one that throws or runs past it gives
 * the client a temporary failure, and mail is never lost.
 *
 * <p>Ranking bands: 10000 and up connection guards (limits, DNSBL); 1000-9999 policy (relay,
 * auth checks); 1-999 content filters (spam).
 */
@ConsumerType
public interface MailFilter {

    /** A client connected; only its address is known. */
    default Verdict onConnect(Origin origin) {
        return Verdict.proceed();
    }

    /** The client said EHLO/HELO; {@code origin.heloName()} is set. */
    default Verdict onHelo(Origin origin) {
        return Verdict.proceed();
    }

    /** MAIL FROM: the envelope has its sender and parameters, no recipients yet. */
    default Verdict onMailFrom(Envelope envelope) {
        return Verdict.proceed();
    }

    /** RCPT TO: {@code recipient} is being added to {@code envelope} (which holds those accepted so far). */
    default Verdict onRcptTo(Envelope envelope, Recipient recipient) {
        return Verdict.proceed();
    }

    /**
     * The whole message was received, before the reply to DATA or the last BDAT. Changes
     * returned here (headers, folder) apply to every recipient.
     */
    default Verdict onData(Envelope envelope, MessageContent content) {
        return Verdict.proceed();
    }

    /**
     * A message is about to be stored for one local recipient (after it was accepted): a
     * rejection here bounces for that recipient; changes may file it into a folder.
     */
    default Verdict onDelivery(Envelope envelope, Recipient recipient, MessageContent content) {
        return Verdict.proceed();
    }
}
