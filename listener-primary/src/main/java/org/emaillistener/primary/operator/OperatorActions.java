package org.emaillistener.primary.operator;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.UUID;

import org.emaillistener.common.history.HistoryImports;
import org.emaillistener.common.jobs.SyncJob;
import org.emaillistener.common.jobs.SyncJobs;
import org.emaillistener.common.lease.Leases;
import org.emaillistener.common.parking.ParkedMessage;
import org.emaillistener.common.parking.ParkedMessages;
import org.emaillistener.primary.ownership.MailboxOwnership;
import org.emaillistener.primary.subscription.SyncJobOutbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an operator can do to a mailbox or the queue. Each action is logged with who asked, from where
 * and when, and the last ones are kept for the console to show. None of them touches credentials.
 */
public class OperatorActions {

    private static final Logger log = LoggerFactory.getLogger(OperatorActions.class);
    private static final int KEPT = 50;

    private final MailboxOwnership ownership;
    private final Leases leases;
    private final ParkedMessages parked;
    private final SyncJobOutbox jobs;
    private final SyncJobs syncJobs;
    private final HistoryImports imports;
    private final ArrayDeque<Action> recent = new ArrayDeque<>();

    public OperatorActions(MailboxOwnership ownership, Leases leases, ParkedMessages parked, SyncJobOutbox jobs,
            SyncJobs syncJobs, HistoryImports imports) {
        this.ownership = ownership;
        this.leases = leases;
        this.parked = parked;
        this.jobs = jobs;
        this.syncJobs = syncJobs;
        this.imports = imports;
    }

    /**
     * @param who the operator's name as they gave it, or {@code api-key} for a script
     * @param from the address the request came from
     * @param mailboxId the mailbox acted on, or null for the queue
     * @param result what came of it, for people
     * @param count how many messages or jobs it queued, where it queues some
     */
    public record Action(Instant at, String who, String from, String action, UUID mailboxId, String result,
            Integer count) {
    }

    /** Starts the mailbox's subscription again, wherever it is served; it catches up every folder. */
    public Action resync(Operator operator, UUID mailboxId) {
        ownership.resubscribe(mailboxId);
        return record(operator, "resync", mailboxId, "subscription started again; every folder catches up", null);
    }

    /** Ends the mailbox's lease: its holder stops serving it at its next round and a replica claims it. */
    public Action release(Operator operator, UUID mailboxId) {
        leases.revoke(mailboxId);
        return record(operator, "release-lease", mailboxId, "lease ended; a replica claims it afresh", null);
    }

    /** Queues one parked message again; it stays parked until Creatio accepts it. */
    public Action redeliver(Operator operator, ParkedMessage message) {
        jobs.publish(SyncJob.redeliver(message.mailboxId(), message.folder(), message.uid()));
        return record(operator, "redeliver", message.mailboxId(),
                "queued UID " + message.uid() + " of " + message.folder(), 1);
    }

    /** Queues every parked message of the mailbox again. */
    public Action redeliverAll(Operator operator, UUID mailboxId) {
        List<ParkedMessage> all = parked.of(mailboxId);
        all.forEach(message -> jobs.publish(SyncJob.redeliver(mailboxId, message.folder(), message.uid())));
        return record(operator, "redeliver-parked", mailboxId, "queued " + all.size() + " parked message(s)",
                all.size());
    }

    /** Queues up to {@code max} dead-lettered sync jobs again, oldest first. */
    public Action replayDeadLetters(Operator operator, int max) {
        int replayed = syncJobs.replayDeadLetters(max);
        return record(operator, "replay-dead-letters", null, "replayed " + replayed + " job(s)", replayed);
    }

    /** Ends a running history import; null if no such import runs. */
    public Action endHistoryImport(Operator operator, UUID mailboxId, String filter) {
        if (!imports.end(mailboxId, filter)) {
            return null;
        }
        return record(operator, "end-history-import", mailboxId, "ended the import of " + filter, null);
    }

    public synchronized List<Action> recent() {
        return List.copyOf(recent);
    }

    private Action record(Operator operator, String action, UUID mailboxId, String result, Integer count) {
        Action done = new Action(Instant.now(), operator.name(), operator.address(), action, mailboxId, result, count);
        log.info("Operator {} from {}: {}{}: {}", done.who(), done.from(), action,
                mailboxId == null ? "" : " of mailbox " + mailboxId, result);
        synchronized (this) {
            recent.addFirst(done);
            while (recent.size() > KEPT) {
                recent.removeLast();
            }
        }
        return done;
    }

    /**
     * Who asked: the name an operator gave with the console's password (HTTP Basic), or
     * {@code api-key} for a script that sent the key itself.
     */
    public record Operator(String name, String address) {
    }
}
