package dev.postwerk.pop3.internal;

import java.util.Optional;

import dev.postwerk.api.sasl.SaslAuthenticator;
import dev.postwerk.api.store.MailboxStore;

/**
 * What sessions use of the outside world, read at each use: the store and the SASL service may
 * come and go at run time (DESIGN.md rule 2), so a session never keeps a reference to either
 * beyond one login.
 */
interface Pop3Services {

    Optional<MailboxStore> store();

    Optional<SaslAuthenticator> sasl();

    MaildropLocks locks();
}
