package dev.postwerk.api.filter;

import java.util.List;
import java.util.Set;

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

    /** The filters as the chain runs them now, first first (for {@code mail:filter-list}). */
    List<FilterDescription> describe();

    /**
     * True when a filter registered now handles {@code stage}. With none, that stage's call
     * answers at once without blocking, so a session on a network I/O thread may make it there
     * instead of handing it to a worker. The list may change right after this answers; a call
     * that meets a newly added filter still works, it merely blocks.
     *
     * @since 1.2
     */
    boolean hasFilters(Stage stage);

    /** The stages a filter takes part in. */
    enum Stage {
        CONNECT, HELO, MAIL_FROM, RCPT_TO, DATA, DELIVERY
    }

    /**
     * One filter in the chain.
     *
     * @param name the component name (or class name) of the filter
     * @param bundle the symbolic name of the bundle that registered it
     * @param ranking its {@code service.ranking}
     * @param serviceId its {@code service.id}
     * @param stages the stages it implements (overrides)
     */
    record FilterDescription(String name, String bundle, int ranking, long serviceId, Set<Stage> stages) {
        public FilterDescription {
            stages = Set.copyOf(stages);
        }
    }
}
