package dev.postwerk.shell.internal;

import java.util.List;
import java.util.Optional;

import dev.postwerk.api.directory.AliasEntry;
import dev.postwerk.api.directory.DirectoryAdmin;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/** Completes existing alias sources. */
@Service
public class AliasCompleter implements Completer {

    @Reference
    DirectoryAdmin admin;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        List<String> sources = admin.aliases(Optional.empty()).stream().map(AliasEntry::source).toList();
        return new StringsCompleter(sources).complete(session, commandLine, candidates);
    }
}
