package dev.postwerk.api.queue;

import java.util.Objects;
import java.util.Optional;

import dev.postwerk.api.mail.Recipient;

/**
 * What happened to one recipient in one delivery attempt, for retries and DSNs (RFC 3464).
 *
 * @param recipient the recipient
 * @param status delivered, try again later, or failed for good
 * @param statusCode enhanced status code (RFC 3463), e.g. {@code 5.1.1}
 * @param diagnostic the remote reply or local reason, e.g. {@code 550 5.1.1 no such user}
 * @param remoteMta the host that answered, when there was one
 */
public record DeliveryOutcome(Recipient recipient, Status status, String statusCode, String diagnostic,
        Optional<String> remoteMta) {

    public DeliveryOutcome {
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(statusCode, "statusCode");
        Objects.requireNonNull(diagnostic, "diagnostic");
        Objects.requireNonNull(remoteMta, "remoteMta");
    }

    public enum Status {
        DELIVERED, TEMPORARY_FAILURE, PERMANENT_FAILURE
    }
}
