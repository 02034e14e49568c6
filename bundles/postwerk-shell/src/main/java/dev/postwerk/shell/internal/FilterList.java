package dev.postwerk.shell.internal;

import java.util.List;

import dev.postwerk.api.filter.FilterChain;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** The effective filter order per stage, as {@code haraka -o} prints it. */
@Command(scope = "mail", name = "filter-list",
        description = "Lists the mail filters in the order they run at each stage (higher service.ranking first).")
@Service
public class FilterList implements Action {

    @Reference
    FilterChain chain;

    @Override
    public Object execute() {
        List<FilterChain.FilterDescription> filters = chain.describe();
        ShellTable table = new ShellTable().emptyTableText("no filters registered: mail passes unfiltered");
        table.column("Stage");
        table.column("#").alignRight();
        table.column("Ranking").alignRight();
        table.column("Filter");
        table.column("Bundle");
        table.column("Service").alignRight();
        for (FilterChain.Stage stage : FilterChain.Stage.values()) {
            int position = 0;
            for (FilterChain.FilterDescription f : filters) {
                if (f.stages().contains(stage)) {
                    table.addRow().addContent(stage.name().toLowerCase().replace('_', '-'), ++position, f.ranking(),
                            f.name(), f.bundle(), f.serviceId());
                }
            }
        }
        table.print(System.out);
        return null;
    }
}
