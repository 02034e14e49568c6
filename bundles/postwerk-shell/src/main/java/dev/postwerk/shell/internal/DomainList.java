package dev.postwerk.shell.internal;

import java.util.Optional;

import dev.postwerk.api.directory.DirectoryAdmin;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Command(scope = "mail", name = "domain-list", description = "Lists the local domains with their number of users and aliases.")
@Service
public class DomainList implements Action {

    @Reference
    DirectoryAdmin admin;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable().emptyTableText("no domains: add one with mail:domain-add");
        table.column("Domain");
        table.column("Users").alignRight();
        table.column("Aliases").alignRight();
        for (String d : admin.domains()) {
            table.addRow().addContent(d, admin.users(Optional.of(d)).size(), admin.aliases(Optional.of(d)).size());
        }
        table.print(System.out);
        return null;
    }
}
