package org.emaillistener.secondary.sync;

import java.util.Optional;

import org.emaillistener.common.cursor.DeliveredMessages;
import org.emaillistener.common.history.HistoryImport;
import org.emaillistener.common.history.HistoryImports;
import org.emaillistener.common.jobs.SyncJob;
import org.emaillistener.common.registry.MailboxRegistry;
import org.emaillistener.common.registry.OneOffMailboxes;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The mailbox a sync job is for: a registered one, or, for a history import Creatio asked for without
 * registering the mailbox, the one-off mailbox held for it, whose credentials are let go as soon as
 * its import is done.
 */
@Component
class JobMailboxes {

    private static final Logger log = LoggerFactory.getLogger(JobMailboxes.class);

    private final MailboxRegistry registry;
    private final OneOffMailboxes oneOffs;
    private final HistoryImports imports;
    private final DeliveredMessages delivered;

    JobMailboxes(MailboxRegistry registry, OneOffMailboxes oneOffs, HistoryImports imports,
            DeliveredMessages delivered) {
        this.registry = registry;
        this.oneOffs = oneOffs;
        this.imports = imports;
        this.delivered = delivered;
    }

    /**
     * The mailbox a job runs with.
     *
     * @param oneOff whether it is held for a one-off import, not registered
     */
    record Served(RegisteredMailbox mailbox, boolean oneOff) {
    }

    /** The mailbox to run the job with; empty when it is no longer served (nor imported). */
    Optional<Served> of(SyncJob job) {
        Optional<RegisteredMailbox> registered = registry.find(job.mailboxId());
        if (registered.isPresent() || job.reason() != SyncJob.Reason.HISTORY) {
            return registered.map(mailbox -> new Served(mailbox, false));
        }
        return oneOffs.find(job.mailboxId()).map(mailbox -> new Served(mailbox, true));
    }

    /**
     * After a job of a one-off mailbox ran: when its import is done (or was ended), its credentials,
     * its import's record and its delivered Message-IDs are let go; while it goes on, it is held for
     * {@link OneOffMailboxes#HOLD} again.
     */
    void ran(SyncJob job, Served served) {
        if (!served.oneOff()) {
            return;
        }
        boolean over = imports.find(job.mailboxId(), job.filter())
                .map(HistoryImport::finished).orElse(true);
        if (over) {
            // Nothing of an unregistered mailbox outlives its import.
            oneOffs.release(job.mailboxId());
            imports.removeAll(job.mailboxId());
            delivered.removeAll(job.mailboxId());
            log.info("History import of unregistered mailbox {} ({}) is over: its credentials are let go",
                    job.mailboxId(), job.filter());
        } else {
            oneOffs.hold(served.mailbox(), OneOffMailboxes.HOLD);
        }
    }
}
