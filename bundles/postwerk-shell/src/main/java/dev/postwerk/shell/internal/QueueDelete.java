package dev.postwerk.shell.internal;

import dev.postwerk.api.queue.MailQueue;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "mail", name = "queue-delete",
        description = "Removes a message from the queue without delivering or bouncing it.")
@Service
public class QueueDelete implements Action {

    @Reference
    MailQueue queue;

    @Argument(index = 0, name = "id", required = true, description = "The queue id")
    @Completion(QueueIdCompleter.class)
    String id;

    @Override
    public Object execute() {
        if (!queue.delete(id)) {
            throw new IllegalStateException("no message " + id + " in the queue");
        }
        System.out.println("Message " + id + " deleted");
        return null;
    }
}
