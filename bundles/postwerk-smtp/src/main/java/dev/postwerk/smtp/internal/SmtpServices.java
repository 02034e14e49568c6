package dev.postwerk.smtp.internal;

import java.util.Optional;

import dev.postwerk.api.directory.UserDirectory;
import dev.postwerk.api.filter.FilterChain;
import dev.postwerk.api.queue.MailQueue;
import dev.postwerk.api.sasl.SaslAuthenticator;
import dev.postwerk.api.store.MailboxStore;

/** The services a session uses, as they are right now (each may come and go). */
interface SmtpServices {
    Optional<MailQueue> queue();

    Optional<UserDirectory> directory();

    /**
     * The directory there now, and whether it answers lookups from memory
     * ({@link UserDirectory#NON_BLOCKING_PROPERTY}): RCPT may then be checked on the I/O thread.
     */
    Optional<DirectoryRef> directoryRef();

    /** A directory and its promise, as bound together. */
    record DirectoryRef(UserDirectory directory, boolean nonBlocking) {
    }

    Optional<SaslAuthenticator> sasl();

    Optional<FilterChain> filters();

    /** Only to refuse a recipient whose mailbox is full at RCPT time; delivery itself is the queue's. */
    Optional<MailboxStore> store();

    /** Shared by the listener's sessions. */
    MailboxFullCache mailboxFullCache();
}
