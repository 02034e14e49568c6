package dev.postwerk.shell.internal;

import java.util.Map;

import dev.postwerk.api.mail.Recipient;
import dev.postwerk.api.queue.MailQueue;
import dev.postwerk.api.queue.QueueEntry;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "mail", name = "queue-show",
        description = "Shows one queued message: envelope, origin, and each pending recipient with its attempts and last error.")
@Service
public class QueueShow implements Action {

    @Reference
    MailQueue queue;

    @Argument(index = 0, name = "id", required = true, description = "The queue id")
    @Completion(QueueIdCompleter.class)
    String id;

    @Override
    public Object execute() {
        QueueEntry e = queue.find(id).orElseThrow(() -> new IllegalStateException("no message " + id + " in the queue"));
        System.out.println("Queue ID:      " + e.queueId());
        System.out.println("Arrived:       " + QueueList.time(e.arrived()));
        System.out.println("Size:          " + e.size());
        System.out.println("From:          " + QueueList.sender(e));
        System.out.println("Client:        " + e.envelope().origin().client() + " ("
                + e.envelope().origin().heloName().orElse("no HELO") + ") via " + e.envelope().origin().listener()
                + e.envelope().origin().authIdentity().map(a -> ", authenticated as " + a).orElse(""));
        for (Map.Entry<String, String> p : e.envelope().parameters().entrySet()) {
            System.out.println("Parameter:     " + p.getKey() + (p.getValue().isEmpty() ? "" : "=" + p.getValue()));
        }
        System.out.println("Next attempt:  " + e.nextAttempt().map(QueueList::time).orElse("running now"));
        System.out.println("Recipients:    " + e.envelope().recipients().size() + " (" + e.pending().size() + " pending)");
        for (QueueEntry.PendingRecipient p : e.pending()) {
            Recipient r = p.recipient();
            System.out.println("  <" + r.address() + ">  attempts " + p.attempts()
                    + r.originalRecipient().map(o -> "  ORCPT " + o).orElse("")
                    + (r.notifyOn().isEmpty() ? "" : "  NOTIFY " + r.notifyOn()));
            p.lastError().ifPresent(err -> System.out.println("      last error: " + err));
        }
        return null;
    }
}
