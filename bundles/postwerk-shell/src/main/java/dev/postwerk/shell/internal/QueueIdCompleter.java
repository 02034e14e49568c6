package dev.postwerk.shell.internal;

import java.util.List;

import dev.postwerk.api.queue.MailQueue;
import dev.postwerk.api.queue.QueueEntry;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/** Completes the ids of queued messages. */
@Service
public class QueueIdCompleter implements Completer {

    @Reference
    MailQueue queue;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        List<String> ids = queue.list().stream().map(QueueEntry::queueId).toList();
        return new StringsCompleter(ids).complete(session, commandLine, candidates);
    }
}
