package dev.postwerk.shell.internal;

import dev.postwerk.api.directory.DirectoryAdmin;
import dev.postwerk.api.directory.DirectoryException;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "mail", name = "domain-add", description = "Adds a local domain: mail to it is delivered here.")
@Service
public class DomainAdd implements Action {

    @Reference
    DirectoryAdmin admin;

    @Argument(index = 0, name = "domain", description = "The domain, e.g. example.com", required = true)
    String domain;

    @Override
    public Object execute() {
        try {
            admin.addDomain(domain);
        } catch (DirectoryException e) {
            throw Console.failed(e);
        }
        System.out.println("Domain " + domain + " added");
        return null;
    }
}
