package dev.postwerk.api.directory;

import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

import dev.postwerk.api.mail.MailAddress;

/**
 * An account: who logs in and whose mailboxes mail is stored in.
 *
 * @param name the canonical account name, used as the store's user key (e.g. {@code alice@example.com})
 * @param addresses the addresses delivered to this account, primary first
 * @param master true when this account may act for others (SASL authorization identity)
 * @param storageQuota octet limit for the account's mail; empty for the store's default
 * @param messageQuota message count limit; empty for the store's default
 */
public record Principal(String name, List<MailAddress> addresses, boolean master, OptionalLong storageQuota,
        OptionalLong messageQuota) {
    public Principal {
        Objects.requireNonNull(name, "name");
        addresses = List.copyOf(addresses);
        Objects.requireNonNull(storageQuota, "storageQuota");
        Objects.requireNonNull(messageQuota, "messageQuota");
    }
}
