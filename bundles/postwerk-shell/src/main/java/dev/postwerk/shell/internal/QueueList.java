package dev.postwerk.shell.internal;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;

import dev.postwerk.api.mail.MailAddress;
import dev.postwerk.api.queue.MailQueue;
import dev.postwerk.api.queue.QueueEntry;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

@Command(scope = "mail", name = "queue-list",
        description = "Lists the messages in the mail queue, oldest first, with their pending recipients and next attempt.")
@Service
public class QueueList implements Action {

    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    @Reference
    MailQueue queue;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable().emptyTableText("mail queue is empty");
        table.column("Queue ID");
        table.column("Arrived");
        table.column("Size").alignRight();
        table.column("From");
        table.column("Pending").alignRight();
        table.column("Next attempt");
        table.column("Last error");
        for (QueueEntry e : queue.list()) {
            table.addRow().addContent(e.queueId(), time(e.arrived()), e.size(), sender(e), e.pending().size(),
                    e.nextAttempt().map(QueueList::time).orElse("now"), lastError(e));
        }
        table.print(System.out);
        return null;
    }

    static String time(Instant instant) {
        return TIME.format(instant);
    }

    static String sender(QueueEntry e) {
        return e.envelope().sender().map(MailAddress::toString).map(s -> "<" + s + ">").orElse("<>");
    }

    private static String lastError(QueueEntry e) {
        Optional<String> err = e.pending().stream().flatMap(p -> p.lastError().stream()).findFirst();
        String text = err.orElse("");
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }
}
