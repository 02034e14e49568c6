package dev.postwerk.shell.internal;

import dev.postwerk.api.directory.AuthResult;
import dev.postwerk.api.directory.Principal;
import dev.postwerk.api.directory.UserDirectory;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;

@Command(scope = "mail", name = "auth-test",
        description = "Checks a user's password against the directory (outside the brute-force guard).")
@Service
public class AuthTest implements Action {

    @Reference
    UserDirectory directory;

    @Reference(optional = true)
    Session session;

    @Argument(index = 0, name = "user", required = true, description = "The login")
    @Completion(UserCompleter.class)
    String user;

    @Argument(index = 1, name = "password", required = false, description = "The password; better left out")
    String password;

    @Override
    public Object execute() throws Exception {
        char[] pw;
        if (password != null) {
            pw = password.toCharArray();
        } else if (session != null) {
            String read = session.readLine("Password for " + user + ": ", '*');
            pw = read == null ? new char[0] : read.toCharArray();
        } else {
            throw new IllegalArgumentException("no password given and no console to read one from");
        }
        long start = System.nanoTime();
        AuthResult result;
        try {
            result = directory.verifyPassword(user, pw);
        } finally {
            Console.wipe(pw);
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        if (result.outcome() != AuthResult.Outcome.SUCCESS) {
            throw new IllegalStateException("Authentication failed for " + user + ": "
                    + result.outcome().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " (" + ms + " ms)");
        }
        Principal p = result.principal().orElseThrow();
        System.out.println("Authenticated as " + p.name() + (p.master() ? " (master)" : "") + " in " + ms + " ms");
        return null;
    }
}
