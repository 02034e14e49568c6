package dev.postwerk.api.store;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Mail storage for all users. Registered as an OSGi service with a {@value #NAME_PROPERTY}
 * property; protocols pick one with a target filter such as {@code (store.name=maildir)}.
 * Implementations must be safe for concurrent use by many sessions of many users.
 */
@ConsumerType
public interface MailboxStore {

    /** Service property naming the store implementation ({@code maildir}, {@code memory}, ...). */
    String NAME_PROPERTY = "store.name";

    /** The name of the folder every user has and that delivery uses by default (RFC 3501 §5.1). */
    String INBOX = "INBOX";

    /**
     * Opens the mail of one user, creating it (with INBOX and the special-use folders) on first
     * use. The caller closes the returned session when its protocol session ends.
     *
     * @param user the account name as the directory gives it ({@code Principal.name()})
     * @throws StoreException {@code UNAVAILABLE} when the store cannot serve now
     */
    UserMailboxes open(String user) throws StoreException;
}
