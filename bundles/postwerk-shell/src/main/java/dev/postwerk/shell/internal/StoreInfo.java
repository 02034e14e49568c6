package dev.postwerk.shell.internal;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;

import dev.postwerk.api.directory.DirectoryAdmin;
import dev.postwerk.api.directory.UserEntry;
import dev.postwerk.api.store.MailboxInfo;
import dev.postwerk.api.store.MailboxStatus;
import dev.postwerk.api.store.MailboxStore;
import dev.postwerk.api.store.QuotaUsage;
import dev.postwerk.api.store.SpecialUse;
import dev.postwerk.api.store.StoreException;
import dev.postwerk.api.store.UserMailboxes;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;

/** What the serving store holds: per user, or one user's folders. */
@Command(scope = "mail", name = "store-info",
        description = "Shows mail storage use: every user's totals, or one user's folders, counts, sizes and quota.")
@Service
public class StoreInfo implements Action {

    @Reference
    MailboxStore store;

    @Reference(optional = true)
    DirectoryAdmin admin;

    @Argument(index = 0, name = "user", required = false, description = "A user (account name); all users when left out")
    @Completion(UserCompleter.class)
    String user;

    @Override
    public Object execute() throws StoreException {
        if (user != null) {
            printUser(user);
            return null;
        }
        if (admin == null) {
            throw new IllegalStateException("no editable directory to list users from; name a user");
        }
        ShellTable table = new ShellTable().emptyTableText("no users");
        table.column("User");
        table.column("Folders").alignRight();
        table.column("Messages").alignRight();
        table.column("Size").alignRight();
        table.column("Quota").alignRight();
        for (UserEntry u : admin.users(Optional.empty())) {
            try (UserMailboxes mail = store.open(u.name())) {
                QuotaUsage q = mail.quota();
                table.addRow().addContent(u.name(), mail.list().size(), q.messages(), human(q.storageBytes()),
                        limit(q.storageLimit()));
            }
        }
        table.print(System.out);
        return null;
    }

    private void printUser(String name) throws StoreException {
        try (UserMailboxes mail = store.open(name)) {
            ShellTable table = new ShellTable();
            table.column("Folder");
            table.column("Messages").alignRight();
            table.column("Unseen").alignRight();
            table.column("Size").alignRight();
            table.column("UIDVALIDITY").alignRight();
            table.column("UIDNEXT").alignRight();
            table.column("Special use");
            for (MailboxInfo info : mail.list()) {
                MailboxStatus s = mail.mailbox(info.name()).status();
                table.addRow().addContent(info.name(), s.messages(), s.unseen(), human(s.size()), s.uidValidity(),
                        s.uidNext(), info.specialUse().stream().map(SpecialUse::attribute).sorted()
                                .collect(Collectors.joining(" ")));
            }
            table.print(System.out);
            QuotaUsage q = mail.quota();
            System.out.println("Quota: " + human(q.storageBytes()) + " of " + limit(q.storageLimit()) + ", "
                    + q.messages() + " of " + (q.messageLimit().isPresent() ? q.messageLimit().getAsLong() : "unlimited")
                    + " messages");
        }
    }

    static String human(long octets) {
        if (octets < 1024) {
            return octets + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double n = octets;
        int u = -1;
        while (n >= 1024 && u < units.length - 1) {
            n /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", n, units[u]);
    }

    private static String limit(OptionalLong limit) {
        return limit.isPresent() ? human(limit.getAsLong()) : "unlimited";
    }
}
