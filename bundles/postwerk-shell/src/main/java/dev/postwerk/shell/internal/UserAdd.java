package dev.postwerk.shell.internal;

import dev.postwerk.api.directory.DirectoryAdmin;
import dev.postwerk.api.directory.DirectoryException;
import dev.postwerk.api.directory.UserEntry;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;

@Command(scope = "mail", name = "user-add",
        description = "Adds a user of a local domain. Without a password argument it is asked for, without echo.")
@Service
public class UserAdd implements Action {

    @Reference
    DirectoryAdmin admin;

    @Reference(optional = true)
    Session session;

    @Argument(index = 0, name = "address", required = true, description = "The login and address, e.g. alice@example.com")
    String address;

    @Argument(index = 1, name = "password", required = false,
            description = "The password; better left out (it stays in the shell history otherwise)")
    String password;

    @Option(name = "--master", description = "May log in as any other user (SASL authorization identity)")
    boolean master;

    @Option(name = "--quota", description = "Storage quota, e.g. 500M or 2G (default: the store's)")
    String quota;

    @Option(name = "--messages", description = "Message count quota (default: the store's)")
    long messages;

    @Override
    public Object execute() throws Exception {
        UserEntry entry = new UserEntry(address, master, false, Console.size(quota),
                messages > 0 ? java.util.OptionalLong.of(messages) : java.util.OptionalLong.empty(), "");
        char[] pw = Console.password(password, session, "Password for " + address);
        try {
            admin.addUser(entry, pw);
        } catch (DirectoryException e) {
            throw Console.failed(e);
        } finally {
            Console.wipe(pw);
        }
        System.out.println("User " + address + " added");
        return null;
    }
}
