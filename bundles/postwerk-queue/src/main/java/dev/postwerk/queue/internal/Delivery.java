package dev.postwerk.queue.internal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import dev.postwerk.api.directory.Resolution;
import dev.postwerk.api.directory.UserDirectory;
import dev.postwerk.api.filter.FilterChain;
import dev.postwerk.api.filter.HeaderField;
import dev.postwerk.api.filter.Verdict;
import dev.postwerk.api.mail.MailAddress;
import dev.postwerk.api.mail.Recipient;
import dev.postwerk.api.queue.DeliveryOutcome;
import dev.postwerk.api.queue.RelayTransport;
import dev.postwerk.api.store.Flags;
import dev.postwerk.api.store.Mailbox;
import dev.postwerk.api.store.MailboxStore;
import dev.postwerk.api.store.MessageInfo;
import dev.postwerk.api.store.StoreException;
import dev.postwerk.api.store.UserMailboxes;
import dev.postwerk.queue.internal.JournalRecord.InFlight;
import dev.postwerk.queue.internal.JournalRecord.TargetDone;
import dev.postwerk.queue.internal.SpooledMessage.RecipientState;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One delivery attempt of one message, on a delivery worker: routes each pending recipient
 * (directory), runs the per-recipient delivery filters, appends to the store or hands remote
 * recipients to the relay, and sorts the outcomes into delivered, deferred and failed.
 *
 * <h2>Delivery guarantee per local recipient: at least once, with de-duplication</h2>
 * Before each append an {@code InFlight} record (user, folder, the folder's UIDNEXT, the exact
 * size of the copy) is forced to the journal. After the append a {@code TargetDone} record
 * follows without waiting. If the process dies between the two, or the store failed half-way,
 * the next attempt finds the {@code InFlight} record and first looks in that folder for a message
 * with a UID of at least that UIDNEXT, of exactly that size, whose content ends with the spool
 * file's octets; if there is one, the recipient counts as delivered and nothing is appended. The
 * remaining window: a store whose UIDs or sizes do not behave as the store contract says, or an
 * identical message (same Received: line, so same session and second) delivered to the same
 * folder in between. Mail is never dropped to avoid a duplicate (rule 1 comes first).
 *
 * <h2>Remote recipients: at least once</h2>
 * The relay's outcome is forced to the journal before the next step; a crash while the relay is
 * talking to the remote MTA leads to a second hand-off (as with every MTA: SMTP cannot
 * de-duplicate).
 */
final class Delivery {

    private static final Logger LOG = LoggerFactory.getLogger(Delivery.class);

    enum Kind { DONE, TEMPORARY, PERMANENT }

    /** The result for one recipient (or one of its targets). */
    record Result(Kind kind, String status, String diagnostic, Optional<String> remoteMta, boolean serviceMissing) {
        static Result done(String diagnostic) {
            return new Result(Kind.DONE, "2.0.0", diagnostic, Optional.empty(), false);
        }

        static Result temporary(String status, String diagnostic) {
            return new Result(Kind.TEMPORARY, status, diagnostic, Optional.empty(), false);
        }

        static Result waiting(String diagnostic) {
            return new Result(Kind.TEMPORARY, "4.3.0", diagnostic, Optional.empty(), true);
        }

        static Result permanent(String status, String diagnostic) {
            return new Result(Kind.PERMANENT, status, diagnostic, Optional.empty(), false);
        }
    }

    /** A remote target waiting for the relay, by domain. */
    private record RemoteTarget(int recipient, String key, Recipient as) {
    }

    private final Spool spool;
    private final DeliveryServices services;
    private final QueueSettings settings;
    private final Clock clock;

    Delivery(Spool spool, DeliveryServices services, QueueSettings settings, Clock clock) {
        this.spool = spool;
        this.services = services;
        this.settings = settings;
        this.clock = clock;
    }

    /** Tries every pending recipient once; returns a result per pending recipient index. */
    Map<Integer, Result> attempt(SpooledMessage m) {
        Map<Integer, Result> results = new LinkedHashMap<>();
        SpoolContent base = SpoolContent.of(m::openData, m.size);
        SpoolContent content;
        try {
            // what the data-stage filters asked for (RFC 5322 fields on top), seen by the delivery filters and the relay
            content = m.dataChanges.addHeaders().isEmpty() && m.dataChanges.removeHeaders().isEmpty() ? base
                    : base.with(fields(m.dataChanges.addHeaders(), Set.of()), m.dataChanges.removeHeaders());
        } catch (IOException e) {
            content = base;
        }
        Optional<UserDirectory> directory = services.directory();
        Map<String, List<RemoteTarget>> remote = new LinkedHashMap<>();
        Map<Integer, List<Result>> perTarget = new LinkedHashMap<>();
        for (int i = 0; i < m.recipients.length; i++) {
            RecipientState state;
            synchronized (m) {
                if (m.deleted) {
                    break;
                }
                state = m.recipients[i];
                if (state.done) {
                    continue;
                }
            }
            Recipient rcpt = m.envelope.recipients().get(i);
            List<Result> targetResults = perTarget.computeIfAbsent(i, k -> new ArrayList<>());
            if (directory.isEmpty()) {
                targetResults.add(Result.waiting("451 4.3.0 no user directory available"));
                continue;
            }
            try {
                route(m, i, rcpt, state, directory.get(), base, content, targetResults, remote);
            } catch (RuntimeException e) {
                LOG.warn("Queue {}: routing <{}> failed", m.id, rcpt.address(), e);
                targetResults.add(Result.temporary("4.3.0", "451 4.3.0 internal error: " + e));
            }
        }
        if (!remote.isEmpty()) {
            relay(m, content, remote, perTarget);
        }
        for (Map.Entry<Integer, List<Result>> e : perTarget.entrySet()) {
            results.put(e.getKey(), combine(m, m.recipients[e.getKey()], e.getValue()));
        }
        return results;
    }

    private void route(SpooledMessage m, int index, Recipient rcpt, RecipientState state, UserDirectory directory,
            SpoolContent base, SpoolContent content, List<Result> results, Map<String, List<RemoteTarget>> remote) {
        MailAddress address = rcpt.address();
        if (!directory.isLocalDomain(address.domain())) {
            // accepted for relay (authenticated submission or trusted network)
            addRemote(m, index, rcpt, address, state, remote);
            return;
        }
        Resolution resolution = directory.resolve(address);
        if (resolution.isUnknown()) {
            results.add(Result.permanent("5.1.1", "550 5.1.1 <" + address + ">: no such user here"));
            return;
        }
        for (Resolution.LocalTarget target : resolution.local()) {
            String key = "local:" + target.user().name();
            synchronized (m) {
                if (state.targets.containsKey(key)) {
                    continue;
                }
            }
            List<MailAddress> own = target.user().addresses();
            // An alias expanded to this user: filters see the user's own address, ORCPT keeps the original.
            Recipient as = own.isEmpty() || own.contains(address) ? rcpt
                    : new Recipient(own.get(0), rcpt.notifyOn(),
                            rcpt.originalRecipient().or(() -> Optional.of("rfc822;" + address)));
            Result r = deliverLocal(m, index, key, target.user().name(), as, base, content);
            results.add(r);
        }
        for (MailAddress to : resolution.remote()) {
            addRemote(m, index, rcpt, to, state, remote);
        }
    }

    private void addRemote(SpooledMessage m, int index, Recipient rcpt, MailAddress to, RecipientState state,
            Map<String, List<RemoteTarget>> remote) {
        String key = "remote:" + to;
        synchronized (m) {
            if (state.targets.containsKey(key)) {
                return;
            }
        }
        Recipient as = to.equals(rcpt.address()) ? rcpt
                : new Recipient(to, rcpt.notifyOn(), rcpt.originalRecipient().or(() -> Optional.of("rfc822;" + rcpt.address())));
        remote.computeIfAbsent(to.domain(), d -> new ArrayList<>()).add(new RemoteTarget(index, key, as));
    }

    private Result deliverLocal(SpooledMessage m, int index, String key, String user, Recipient as, SpoolContent base,
            SpoolContent content) {
        Optional<FilterChain> chain = services.filters();
        if (chain.isEmpty()) {
            // Without the chain a spam filter being updated would let mail through unfiltered: wait.
            return Result.waiting("451 4.3.0 delivery filters not available");
        }
        Optional<MailboxStore> store = services.store();
        if (store.isEmpty()) {
            return Result.waiting("451 4.3.0 no mailbox store available");
        }
        Verdict verdict;
        try {
            verdict = chain.get().onDelivery(m.envelope, as, content);
        } catch (RuntimeException e) {
            LOG.warn("Queue {}: delivery filters failed for <{}>", m.id, as.address(), e);
            return Result.temporary("4.3.0", "451 4.3.0 filter error");
        }
        Verdict.Changes changes = Verdict.Changes.NONE;
        if (verdict instanceof Verdict.Reject r) {
            return Result.permanent(r.reply().status(), r.reply().code() + " " + r.reply().status() + " " + r.reply().text());
        } else if (verdict instanceof Verdict.TempFail t) {
            return Result.temporary(t.reply().status(), t.reply().code() + " " + t.reply().status() + " " + t.reply().text());
        } else if (verdict instanceof Verdict.Proceed p) {
            changes = p.changes();
        }
        if (changes.dropRecipient()) {
            TargetDone dropped = new TargetDone(m.id, index, key, false, "2.0.0", "dropped by a delivery filter");
            applyLocally(m, dropped);
            spool.recordLazily(dropped);
            LOG.info("Queue {}: to=<{}> dropped by a delivery filter", m.id, as.address());
            return Result.done("dropped by a delivery filter");
        }
        // the delivery stage decides over the data stage; fields removed by either go
        String folder = changes.folder().or(m.dataChanges::folder).orElse(MailboxStore.INBOX);
        Set<String> remove = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        remove.addAll(m.dataChanges.removeHeaders());
        remove.addAll(changes.removeHeaders());
        SpoolContent copy;
        SpoolContent tail;
        try {
            String prefix = returnPath(m) + fields(changes.addHeaders(), Set.of()) + fields(m.dataChanges.addHeaders(), changes.removeHeaders());
            copy = base.with(prefix, remove);
            tail = base.with("", remove);
        } catch (IOException e) {
            return Result.temporary("4.3.0", "451 4.3.0 cannot read the spool file: " + e.getMessage());
        }
        InFlight previous;
        synchronized (m) {
            previous = m.recipients[index].inFlight.get(key);
        }
        try (UserMailboxes mailboxes = store.get().open(user)) {
            if (previous != null) {
                Optional<Long> uid = findCopy(mailboxes, previous, tail);
                if (uid.isPresent()) {
                    finishLocal(m, index, key, "found in " + previous.folder() + " as UID " + uid.get() + " after an interrupted attempt");
                    LOG.info("Queue {}: to=<{}> user={} folder={} uid={} already delivered (interrupted attempt)",
                            m.id, as.address(), user, previous.folder(), uid.get());
                    return Result.done("delivered");
                }
            }
            Mailbox mailbox = openFolder(mailboxes, folder);
            long uidNext = mailbox.status().uidNext();
            InFlight marker = new InFlight(m.id, index, key, mailbox.name(), uidNext, copy.size());
            // memory first, then the journal: a compaction snapshot taken between the two must
            // not leave out a record that is already on disk
            applyLocally(m, marker);
            spool.recordDurably(marker);
            MessageInfo info = mailbox.append(copy, Flags.NONE, Optional.empty());
            finishLocal(m, index, key, "delivered to " + mailbox.name() + " as UID " + info.uid());
            LOG.info("Queue {}: to=<{}> user={} folder={} uid={} delivered", m.id, as.address(), user, mailbox.name(), info.uid());
            return Result.done("delivered");
        } catch (StoreException e) {
            return switch (e.reason()) {
                case OVER_QUOTA -> overQuota(m, as, e);
                case UNAVAILABLE -> Result.temporary("4.3.0", "451 4.3.0 mailbox store unavailable: " + e.getMessage());
                default -> {
                    LOG.warn("Queue {}: store refused delivery to {} ({}): {}", m.id, user, e.reason(), e.getMessage());
                    yield Result.temporary("4.3.0", "451 4.3.0 store error: " + e.getMessage());
                }
            };
        } catch (IOException e) {
            // the journal could not be written: the queue stops taking mail; try again later
            return Result.temporary("4.3.0", "451 4.3.0 queue journal error: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("Queue {}: store failed delivering to {}", m.id, user, e);
            return Result.temporary("4.3.0", "451 4.3.0 store error: " + e);
        }
    }

    /**
     * RFC 3463 X.2.2 (mailbox full) is the one status the RFC itself calls possibly transient:
     * users clear their mailboxes after a quota warning, so it is retried for a configured
     * period after arrival (default a day) and then bounced as 552 5.2.2 (RFC 5321 §4.5.3.1.10).
     */
    private Result overQuota(SpooledMessage m, Recipient as, StoreException e) {
        Duration age = Duration.between(m.arrived, clock.instant());
        if (age.compareTo(settings.overQuotaRetry()) < 0) {
            return Result.temporary("4.2.2", "452 4.2.2 <" + as.address() + ">: mailbox full");
        }
        return Result.permanent("5.2.2", "552 5.2.2 <" + as.address() + ">: mailbox full");
    }

    private static Mailbox openFolder(UserMailboxes mailboxes, String folder) throws StoreException {
        try {
            return mailboxes.mailbox(folder);
        } catch (StoreException e) {
            if (e.reason() == StoreException.Reason.NOT_FOUND) {
                // a filter files into a folder the user does not have yet (Junk on an old account)
                try {
                    mailboxes.create(folder, Set.of());
                } catch (StoreException exists) {
                    if (exists.reason() != StoreException.Reason.ALREADY_EXISTS) {
                        throw exists;
                    }
                }
                return mailboxes.mailbox(folder);
            }
            if (e.reason() == StoreException.Reason.INVALID_NAME && !folder.equalsIgnoreCase(MailboxStore.INBOX)) {
                LOG.warn("Delivery filter asked for folder '{}' which the store refuses ({}); using INBOX", folder, e.getMessage());
                return mailboxes.mailbox(MailboxStore.INBOX);
            }
            throw e;
        }
    }

    /** A copy of this message appended by an attempt that did not record its end (see the class comment). */
    private static Optional<Long> findCopy(UserMailboxes mailboxes, InFlight marker, SpoolContent content) throws StoreException {
        Mailbox mailbox;
        try {
            mailbox = mailboxes.mailbox(marker.folder());
        } catch (StoreException e) {
            if (e.reason() == StoreException.Reason.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
        for (MessageInfo info : mailbox.messages()) {
            if (info.uid() >= marker.uidNext() && info.size() == marker.expectedSize()
                    && endsWithSpoolFile(mailbox, info, content)) {
                return Optional.of(info.uid());
            }
        }
        return Optional.empty();
    }

    private static boolean endsWithSpoolFile(Mailbox mailbox, MessageInfo info, SpoolContent tail) throws StoreException {
        long skip = info.size() - tail.size();
        if (skip < 0) {
            return false;
        }
        try (InputStream stored = new BufferedInputStream(mailbox.content(info.uid()).openStream());
                InputStream spooled = tail.openStream()) {
            stored.skipNBytes(skip);
            int a;
            int b;
            do {
                a = stored.read();
                b = spooled.read();
                if (a != b) {
                    return false;
                }
            } while (a >= 0);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void finishLocal(SpooledMessage m, int index, String key, String diagnostic) {
        TargetDone done = new TargetDone(m.id, index, key, false, "2.0.0", diagnostic);
        // Not waited for: if it is lost, the InFlight record makes the next attempt look first.
        applyLocally(m, done);
        spool.recordLazily(done);
    }

    private static void applyLocally(SpooledMessage m, JournalRecord r) {
        m.apply(r);
    }

    /** RFC 5321 §4.4: the final delivery adds Return-Path with the reverse-path, on top of everything. */
    private static String returnPath(SpooledMessage m) {
        return "Return-Path: <" + m.envelope.sender().map(MailAddress::toString).orElse("") + ">\r\n";
    }

    /** Header fields as lines, without those named in {@code except} (case-insensitive). */
    private static String fields(List<HeaderField> added, Set<String> except) {
        StringBuilder b = new StringBuilder(128);
        for (HeaderField f : added) {
            if (except.stream().noneMatch(f.name()::equalsIgnoreCase)) {
                b.append(f.name()).append(": ").append(f.value()).append("\r\n");
            }
        }
        return b.toString();
    }

    private void relay(SpooledMessage m, SpoolContent content, Map<String, List<RemoteTarget>> remote,
            Map<Integer, List<Result>> perTarget) {
        Optional<RelayTransport> relay = services.relay();
        for (Map.Entry<String, List<RemoteTarget>> e : remote.entrySet()) {
            List<RemoteTarget> targets = e.getValue();
            if (relay.isEmpty()) {
                for (RemoteTarget t : targets) {
                    perTarget.get(t.recipient()).add(Result.waiting("451 4.4.0 waiting for the relay to " + e.getKey()));
                }
                continue;
            }
            List<Recipient> recipients = targets.stream().map(RemoteTarget::as).toList();
            List<DeliveryOutcome> outcomes;
            try {
                outcomes = relay.get().deliver(e.getKey(), m.envelope, recipients, content);
            } catch (RuntimeException ex) {
                LOG.warn("Queue {}: relay to {} failed", m.id, e.getKey(), ex);
                outcomes = List.of();
            }
            if (outcomes.size() != targets.size()) {
                for (RemoteTarget t : targets) {
                    perTarget.get(t.recipient()).add(Result.temporary("4.4.0", "451 4.4.0 relay error for " + e.getKey()));
                }
                continue;
            }
            for (int k = 0; k < targets.size(); k++) {
                RemoteTarget t = targets.get(k);
                DeliveryOutcome o = outcomes.get(k);
                Result r = switch (o.status()) {
                    case DELIVERED -> new Result(Kind.DONE, o.statusCode(), o.diagnostic(), o.remoteMta(), false);
                    case TEMPORARY_FAILURE -> new Result(Kind.TEMPORARY, o.statusCode(), o.diagnostic(), o.remoteMta(), false);
                    case PERMANENT_FAILURE -> new Result(Kind.PERMANENT, o.statusCode(), o.diagnostic(), o.remoteMta(), false);
                };
                if (r.kind() != Kind.TEMPORARY) {
                    TargetDone done = new TargetDone(m.id, t.recipient(), t.key(), r.kind() == Kind.PERMANENT, r.status(),
                            r.diagnostic());
                    applyLocally(m, done);
                    try {
                        // forced: a lost record would mean a second hand-off of the same message
                        spool.recordDurably(done);
                    } catch (IOException io) {
                        LOG.warn("Queue {}: cannot record the relay outcome: {}", m.id, io.toString());
                    }
                }
                LOG.info("Queue {}: to=<{}> relay={} {} {}", m.id, t.as().address(), o.remoteMta().orElse(e.getKey()),
                        o.status(), o.diagnostic());
                perTarget.get(t.recipient()).add(r);
            }
        }
    }

    /**
     * The recipient's result from its targets' results: temporary while any target still waits,
     * failed when a target failed for good (this time or before), else done.
     */
    private static Result combine(SpooledMessage m, RecipientState state, List<Result> targetResults) {
        Optional<Result> temporary = targetResults.stream().filter(r -> r.kind() == Kind.TEMPORARY).findFirst();
        if (temporary.isPresent()) {
            return temporary.get();
        }
        Optional<Result> permanent = targetResults.stream().filter(r -> r.kind() == Kind.PERMANENT).findFirst();
        if (permanent.isPresent()) {
            return permanent.get();
        }
        synchronized (m) {
            for (TargetDone t : state.targets.values()) {
                if (t.failed()) {
                    return new Result(Kind.PERMANENT, t.status(), t.diagnostic(), Optional.empty(), false);
                }
            }
        }
        return Result.done("delivered");
    }

    Instant now() {
        return clock.instant();
    }
}
