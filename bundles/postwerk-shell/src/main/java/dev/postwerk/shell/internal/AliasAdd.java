package dev.postwerk.shell.internal;

import java.util.List;

import dev.postwerk.api.directory.AliasEntry;
import dev.postwerk.api.directory.DirectoryAdmin;
import dev.postwerk.api.directory.DirectoryException;
import dev.postwerk.api.mail.InvalidAddressException;
import dev.postwerk.api.mail.MailAddress;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "mail", name = "alias-add",
        description = "Adds targets to an alias (created when new). The source @domain is the domain's catch-all.")
@Service
public class AliasAdd implements Action {

    @Reference
    DirectoryAdmin admin;

    @Argument(index = 0, name = "source", required = true, description = "info@example.com, or @example.com for a catch-all")
    @Completion(AliasCompleter.class)
    String source;

    @Argument(index = 1, name = "targets", required = true, multiValued = true,
            description = "Where the mail goes: local users, other aliases or remote addresses")
    @Completion(UserCompleter.class)
    List<String> targets;

    @Override
    public Object execute() {
        try {
            admin.addAlias(new AliasEntry(source, addresses(targets)));
        } catch (DirectoryException e) {
            throw Console.failed(e);
        }
        System.out.println("Alias " + source + " -> " + String.join(", ", targets));
        return null;
    }

    static List<MailAddress> addresses(List<String> texts) {
        try {
            return texts == null ? List.of() : texts.stream().map(MailAddress::parse).toList();
        } catch (InvalidAddressException e) {
            throw new IllegalArgumentException("invalid address: " + e.getMessage(), e);
        }
    }
}
