package org.emaillistener.secondary.sync;

import org.emaillistener.common.jobs.MailboxLocks;
import org.emaillistener.common.jobs.SyncJob;
import org.emaillistener.common.jobs.SyncJobHandler;
import org.emaillistener.common.jobs.SyncJobs;
import org.emaillistener.common.registry.MailboxRegistry;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;

/**
 * Handles sync jobs: a job for a closed mailbox is done at once; otherwise the mailbox is locked (one
 * syncer per mailbox) and the folder synced. A failure leaves the cursor where Creatio's last 2xx
 * put it and hands the job back to the queue.
 */
@Service
public class MailboxSync implements SyncJobHandler {

    private static final Logger log = LoggerFactory.getLogger(MailboxSync.class);

    private final MailboxRegistry registry;
    private final MailboxLocks locks;
    private final SyncJobs jobs;
    private final FolderSync folders;
    private final HistorySync history;
    private final SyncProperties properties;

    public MailboxSync(MailboxRegistry registry, MailboxLocks locks, SyncJobs jobs, FolderSync folders,
            HistorySync history, SyncProperties properties) {
        this.registry = registry;
        this.locks = locks;
        this.jobs = jobs;
        this.folders = folders;
        this.history = history;
        this.properties = properties;
    }

    @EventListener(ApplicationReadyEvent.class)
    void startConsuming() {
        jobs.consume(this);
    }

    @Override
    public void handle(SyncJob job) throws Exception {
        RegisteredMailbox mailbox = registry.find(job.mailboxId()).orElse(null);
        if (mailbox == null) {
            log.debug("Sync job {} is for a mailbox that is no longer served", job);
            return;
        }
        boolean more = false;
        try (MailboxLocks.Lock lock = locks.tryLock(job.mailboxId(), properties.lockTtl())
                .orElseThrow(() -> new MailboxBusyException(job.mailboxId()))) {
            if (job.reason() == SyncJob.Reason.HISTORY) {
                history.sync(mailbox, job);
            } else {
                more = folders.sync(mailbox, job.folder(), properties.maxMessagesPerJob(),
                        job.reason() == SyncJob.Reason.NEW_MAIL ? job.createdAt() : null);
            }
        }
        if (more) {
            jobs.publish(SyncJob.of(job.mailboxId(), job.folder(), SyncJob.Reason.BACKLOG));
        }
    }
}
