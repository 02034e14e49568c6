package dev.postwerk.shell.internal;

import java.util.List;

import dev.postwerk.api.directory.DirectoryAdmin;
import dev.postwerk.api.directory.DirectoryException;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "mail", name = "alias-remove",
        description = "Removes targets from an alias, or the whole alias when no target is given.")
@Service
public class AliasRemove implements Action {

    @Reference
    DirectoryAdmin admin;

    @Argument(index = 0, name = "source", required = true, description = "The alias")
    @Completion(AliasCompleter.class)
    String source;

    @Argument(index = 1, name = "targets", required = false, multiValued = true, description = "Targets to remove")
    List<String> targets;

    @Override
    public Object execute() {
        try {
            admin.removeAlias(source, AliasAdd.addresses(targets));
        } catch (DirectoryException e) {
            throw Console.failed(e);
        }
        System.out.println(targets == null || targets.isEmpty() ? "Alias " + source + " removed"
                : "Removed " + String.join(", ", targets) + " from " + source);
        return null;
    }
}
