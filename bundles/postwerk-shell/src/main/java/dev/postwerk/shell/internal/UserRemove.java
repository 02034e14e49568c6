package dev.postwerk.shell.internal;

import dev.postwerk.api.directory.DirectoryAdmin;
import dev.postwerk.api.directory.DirectoryException;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "mail", name = "user-remove",
        description = "Removes a user from the directory. Its stored mail is left in place.")
@Service
public class UserRemove implements Action {

    @Reference
    DirectoryAdmin admin;

    @Argument(index = 0, name = "user", required = true, description = "The user")
    @Completion(UserCompleter.class)
    String user;

    @Override
    public Object execute() {
        try {
            admin.removeUser(user);
        } catch (DirectoryException e) {
            throw Console.failed(e);
        }
        System.out.println("User " + user + " removed");
        return null;
    }
}
