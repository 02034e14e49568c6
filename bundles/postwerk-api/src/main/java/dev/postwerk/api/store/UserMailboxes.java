package dev.postwerk.api.store;

import java.util.List;
import java.util.Set;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * One user's folders, as opened by one protocol session. Folder names use
 * {@link #HIERARCHY_DELIMITER} between levels; {@code INBOX} is case-insensitive. A name that
 * would leave the user's own tree ({@code ..}, absolute paths, other users) is refused with
 * {@link StoreException.Reason#INVALID_NAME}.
 */
@ConsumerType
public interface UserMailboxes extends AutoCloseable {

    /** The hierarchy delimiter in folder names as protocols show them. */
    char HIERARCHY_DELIMITER = '/';

    /** The account these folders belong to. */
    String user();

    /** Every folder of the user, INBOX first, then by name. */
    List<MailboxInfo> list() throws StoreException;

    /** Creates a folder (and missing parents), optionally marked with special-use attributes. */
    MailboxInfo create(String name, Set<SpecialUse> specialUse) throws StoreException;

    /** Deletes a folder and its messages. INBOX cannot be deleted. */
    void delete(String name) throws StoreException;

    /** Renames a folder and its children; renaming INBOX moves its messages (RFC 3501 §6.3.5). */
    void rename(String from, String to) throws StoreException;

    /** Opens a folder for reading and changing. */
    Mailbox mailbox(String name) throws StoreException;

    /** Names of the folders the user subscribed to (IMAP LSUB / LIST (SUBSCRIBED)). */
    Set<String> subscriptions() throws StoreException;

    /** Subscribes to or unsubscribes from a folder name (which need not exist). */
    void setSubscribed(String name, boolean subscribed) throws StoreException;

    /** The user's quota use and limits. */
    QuotaUsage quota() throws StoreException;

    /** Ends this session's use of the user's folders. Never throws. */
    @Override
    void close();
}
