package dev.postwerk.shell.internal;

import java.util.Optional;
import java.util.stream.Collectors;

import dev.postwerk.api.directory.AliasEntry;
import dev.postwerk.api.directory.DirectoryAdmin;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Command(scope = "mail", name = "alias-list", description = "Lists aliases and catch-alls with their targets.")
@Service
public class AliasList implements Action {

    @Reference
    DirectoryAdmin admin;

    @Option(name = "-d", aliases = "--domain", description = "Only aliases of this domain")
    @Completion(DomainCompleter.class)
    String domain;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable().emptyTableText("no aliases");
        table.column("Alias");
        table.column("Targets");
        for (AliasEntry a : admin.aliases(Optional.ofNullable(domain))) {
            table.addRow().addContent(a.isCatchAll() ? a.source() + " (catch-all)" : a.source(),
                    a.targets().stream().map(Object::toString).collect(Collectors.joining(", ")));
        }
        table.print(System.out);
        return null;
    }
}
