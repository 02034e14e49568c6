package dev.postwerk.shell.internal;

import dev.postwerk.api.directory.DirectoryAdmin;
import dev.postwerk.api.directory.DirectoryException;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "mail", name = "domain-remove", description = "Removes a local domain that has no users or aliases left.")
@Service
public class DomainRemove implements Action {

    @Reference
    DirectoryAdmin admin;

    @Argument(index = 0, name = "domain", required = true, description = "The domain")
    @Completion(DomainCompleter.class)
    String domain;

    @Override
    public Object execute() {
        try {
            admin.removeDomain(domain);
        } catch (DirectoryException e) {
            throw Console.failed(e);
        }
        System.out.println("Domain " + domain + " removed");
        return null;
    }
}
