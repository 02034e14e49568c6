package dev.postwerk.sasl.internal;

import java.util.Optional;

import dev.postwerk.api.directory.AuthResult;
import dev.postwerk.api.directory.Principal;
import dev.postwerk.api.directory.ScramCredential;

/** What mechanisms need from the directory; answers "unavailable" while no directory is bound. */
interface Credentials {

    AuthResult verifyPassword(String login, char[] password);

    /** Empty: no keys for this user. Throws {@link Unavailable} when there is no directory. */
    Optional<ScramCredential> scram(String login, String hashName);

    Optional<Principal> findUser(String login);

    /** The directory went away mid-exchange. */
    final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unavailable() {
            super("no user directory", null, false, false);
        }
    }
}
