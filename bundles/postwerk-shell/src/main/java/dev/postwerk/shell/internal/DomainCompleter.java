package dev.postwerk.shell.internal;

import java.util.List;

import dev.postwerk.api.directory.DirectoryAdmin;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/** Completes the local domains. */
@Service
public class DomainCompleter implements Completer {

    @Reference
    DirectoryAdmin admin;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        return new StringsCompleter(admin.domains()).complete(session, commandLine, candidates);
    }
}
