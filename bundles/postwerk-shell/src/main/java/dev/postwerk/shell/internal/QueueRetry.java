package dev.postwerk.shell.internal;

import dev.postwerk.api.queue.MailQueue;
import dev.postwerk.api.queue.QueueEntry;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "mail", name = "queue-retry",
        description = "Tries to deliver a queued message now; without an id, every message (or those for one domain with -d).")
@Service
public class QueueRetry implements Action {

    @Reference
    MailQueue queue;

    @Argument(index = 0, name = "id", required = false, description = "The queue id; all messages when left out")
    @Completion(QueueIdCompleter.class)
    String id;

    @Option(name = "-d", aliases = "--domain", description = "Only messages with recipients in this domain (as ETRN)")
    String domain;

    @Override
    public Object execute() {
        if (id != null) {
            if (!queue.retry(id)) {
                throw new IllegalStateException("no message " + id + " in the queue");
            }
            System.out.println("Message " + id + " scheduled for delivery now");
        } else if (domain != null) {
            int n = queue.retryDomain(domain);
            System.out.println(n + " message(s) for " + domain + " scheduled for delivery now");
        } else {
            int n = 0;
            for (QueueEntry e : queue.list()) {
                if (queue.retry(e.queueId())) {
                    n++;
                }
            }
            System.out.println(n + " message(s) scheduled for delivery now");
        }
        return null;
    }
}
