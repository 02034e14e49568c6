package dev.postwerk.smtp.internal;

import java.util.Optional;

import dev.postwerk.api.directory.UserDirectory;
import dev.postwerk.api.filter.FilterChain;
import dev.postwerk.api.queue.MailQueue;
import dev.postwerk.api.sasl.SaslAuthenticator;

/** The services a session uses, as they are right now (each may come and go). */
interface SmtpServices {
    Optional<MailQueue> queue();

    Optional<UserDirectory> directory();

    Optional<SaslAuthenticator> sasl();

    Optional<FilterChain> filters();
}
