package dev.postwerk.queue.internal;

import java.util.Optional;

import dev.postwerk.api.directory.UserDirectory;
import dev.postwerk.api.filter.FilterChain;
import dev.postwerk.api.queue.RelayTransport;
import dev.postwerk.api.store.MailboxStore;

/**
 * The services delivery needs, as they are at this moment: any of them may come and go at run time
 * (rule 2 of DESIGN.md). A missing one is a temporary failure and the message waits.
 */
interface DeliveryServices {

    Optional<MailboxStore> store();

    Optional<UserDirectory> directory();

    Optional<FilterChain> filters();

    Optional<RelayTransport> relay();
}
