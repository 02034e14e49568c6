package dev.postwerk.shell.internal;

import dev.postwerk.api.directory.DirectoryAdmin;
import dev.postwerk.api.directory.DirectoryException;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;

@Command(scope = "mail", name = "user-passwd",
        description = "Sets a user's password. Without a password argument it is asked for, without echo.")
@Service
public class UserPasswd implements Action {

    @Reference
    DirectoryAdmin admin;

    @Reference(optional = true)
    Session session;

    @Argument(index = 0, name = "user", required = true, description = "The user")
    @Completion(UserCompleter.class)
    String user;

    @Argument(index = 1, name = "password", required = false, description = "The new password; better left out")
    String password;

    @Override
    public Object execute() throws Exception {
        char[] pw = Console.password(password, session, "New password for " + user);
        try {
            admin.setPassword(user, pw);
        } catch (DirectoryException e) {
            throw Console.failed(e);
        } finally {
            Console.wipe(pw);
        }
        System.out.println("Password of " + user + " changed");
        return null;
    }
}
