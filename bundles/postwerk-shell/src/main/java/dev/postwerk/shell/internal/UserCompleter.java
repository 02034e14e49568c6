package dev.postwerk.shell.internal;

import java.util.List;
import java.util.Optional;

import dev.postwerk.api.directory.DirectoryAdmin;
import dev.postwerk.api.directory.UserEntry;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/** Completes existing user names. */
@Service
public class UserCompleter implements Completer {

    @Reference
    DirectoryAdmin admin;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        List<String> names = admin.users(Optional.empty()).stream().map(UserEntry::name).toList();
        return new StringsCompleter(names).complete(session, commandLine, candidates);
    }
}
