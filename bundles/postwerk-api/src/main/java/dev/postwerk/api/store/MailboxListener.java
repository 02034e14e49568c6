package dev.postwerk.api.store;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives a folder's changes in the order they happened, from any session of any protocol
 * (so IMAP IDLE can push them). Called on the thread that made the change: return quickly.
 */
@ConsumerType
@FunctionalInterface
public interface MailboxListener {
    void changed(MailboxEvent event);
}
