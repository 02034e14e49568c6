package dev.postwerk.shell.internal;

import java.util.Optional;

import dev.postwerk.api.directory.DirectoryAdmin;
import dev.postwerk.api.directory.UserEntry;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Command(scope = "mail", name = "user-list", description = "Lists users with their flags, quotas and password scheme.")
@Service
public class UserList implements Action {

    @Reference
    DirectoryAdmin admin;

    @Option(name = "-d", aliases = "--domain", description = "Only users of this domain")
    @Completion(DomainCompleter.class)
    String domain;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable().emptyTableText("no users");
        table.column("User");
        table.column("Flags");
        table.column("Quota").alignRight();
        table.column("Messages").alignRight();
        table.column("Scheme");
        for (UserEntry u : admin.users(Optional.ofNullable(domain))) {
            String flags = (u.master() ? "master " : "") + (u.disabled() ? "disabled" : "");
            table.addRow().addContent(u.name(), flags.strip(), Console.size(u.storageQuota()),
                    u.messageQuota().isPresent() ? String.valueOf(u.messageQuota().getAsLong()) : "default",
                    u.passwordScheme().isEmpty() ? "none" : u.passwordScheme());
        }
        table.print(System.out);
        return null;
    }
}
