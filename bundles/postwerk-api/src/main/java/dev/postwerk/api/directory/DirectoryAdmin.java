package dev.postwerk.api.directory;

import java.util.List;
import java.util.Optional;

import dev.postwerk.api.mail.MailAddress;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Editing a directory's domains, users and aliases (the {@code mail:*} shell commands). Registered
 * next to the {@link UserDirectory} with the same {@value UserDirectory#NAME_PROPERTY} property; a
 * read-only directory (LDAP) simply does not register it. Changes are durable when a method returns.
 */
@ConsumerType
public interface DirectoryAdmin {

    /** The local domains, lower case, sorted. */
    List<String> domains();

    void addDomain(String domain) throws DirectoryException;

    /** Removes an empty domain; {@link DirectoryException.Reason#CONFLICT} while users or aliases remain. */
    void removeDomain(String domain) throws DirectoryException;

    /** Users, sorted by name; of one domain, or all when empty. */
    List<UserEntry> users(Optional<String> domain);

    Optional<UserEntry> user(String name);

    /** Adds a user of an existing domain with a password, stored only as a salted slow hash. */
    void addUser(UserEntry user, char[] password) throws DirectoryException;

    /** Changes a user's flags and quotas (the password and scheme are kept). */
    void updateUser(UserEntry user) throws DirectoryException;

    void setPassword(String name, char[] password) throws DirectoryException;

    void removeUser(String name) throws DirectoryException;

    /** Aliases and catch-alls, sorted by source; of one domain, or all when empty. */
    List<AliasEntry> aliases(Optional<String> domain);

    /** Adds the targets to the alias, creating it when new. */
    void addAlias(AliasEntry alias) throws DirectoryException;

    /** Removes these targets from the alias, or the whole alias when {@code targets} is empty. */
    void removeAlias(String source, List<MailAddress> targets) throws DirectoryException;
}
