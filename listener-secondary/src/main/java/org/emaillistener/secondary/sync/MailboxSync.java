package org.emaillistener.secondary.sync;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.emaillistener.common.creatio.CreatioCallFailedException;
import org.emaillistener.common.creatio.CreatioProperties;
import org.emaillistener.common.graph.GraphConnector;
import org.emaillistener.common.jobs.MailboxLocks;
import org.emaillistener.common.jobs.SyncJob;
import org.emaillistener.common.jobs.SyncJobHandler;
import org.emaillistener.common.jobs.SyncJobs;
import org.emaillistener.common.registry.MailboxRegistry;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.common.state.DeliveryProblem;
import org.emaillistener.common.state.SubscriptionStates;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Handles sync jobs: a job for a closed mailbox is done at once; otherwise the mailbox is locked (one
 * syncer per mailbox) and the folder synced. A failure leaves the cursor where Creatio's last 2xx
 * put it and hands the job back to the queue.
 */
@Service
public class MailboxSync implements SyncJobHandler {

    private static final Logger log = LoggerFactory.getLogger(MailboxSync.class);
    private static final Duration BUSY_POLL = Duration.ofMillis(200);

    private final MailboxRegistry registry;
    private final MailboxLocks locks;
    private final SyncJobs jobs;
    private final FolderSync folders;
    private final HistorySync history;
    private final ExchangeFolderSync exchangeFolders;
    private final ExchangeHistorySync exchangeHistory;
    private final GraphFolderSync graphFolders;
    private final GraphHistorySync graphHistory;
    private final GraphConnector graph;
    private final SyncProperties properties;
    private final SubscriptionStates states;
    private final CreatioProperties creatio;
    private final MeterRegistry meters;
    /** Per mailbox, since when Creatio has failed its deliveries; this process's view is enough. */
    private final Map<UUID, Instant> creatioFailingSince = new ConcurrentHashMap<>();
    private final ScheduledExecutorService lockRenewals = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("mailbox-lock-renewal").daemon().factory());

    public MailboxSync(MailboxRegistry registry, MailboxLocks locks, SyncJobs jobs, FolderSync folders,
            HistorySync history, ExchangeFolderSync exchangeFolders, ExchangeHistorySync exchangeHistory,
            GraphFolderSync graphFolders, GraphHistorySync graphHistory, GraphConnector graph,
            SyncProperties properties, SubscriptionStates states, CreatioProperties creatio, MeterRegistry meters) {
        this.registry = registry;
        this.locks = locks;
        this.jobs = jobs;
        this.folders = folders;
        this.history = history;
        this.exchangeFolders = exchangeFolders;
        this.exchangeHistory = exchangeHistory;
        this.graphFolders = graphFolders;
        this.graphHistory = graphHistory;
        this.graph = graph;
        this.properties = properties;
        this.states = states;
        this.creatio = creatio;
        this.meters = meters;
        Gauge.builder("email.listener.sync.queue.depth", jobs, SyncJobs::depth)
                .description("Sync jobs waiting in the queue").register(meters);
    }

    @EventListener(ApplicationReadyEvent.class)
    void startConsuming() {
        jobs.consume(this);
    }

    /**
     * The mailbox's lock. Another syncer holding it is working on the same mailbox and will be done
     * soon: wait a little for it rather than hand the job back, which would use up a delivery.
     */
    private MailboxLocks.Lock lock(SyncJob job) throws MailboxBusyException, InterruptedException {
        long deadline = System.nanoTime() + properties.busyWait().toNanos();
        while (true) {
            var lock = locks.tryLock(job.mailboxId(), properties.lockTtl());
            if (lock.isPresent()) {
                return lock.get();
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new MailboxBusyException(job.mailboxId());
            }
            Thread.sleep(BUSY_POLL);
        }
    }

    /**
     * Creatio has not answered this mailbox's deliveries for longer than {@code MaxBpmonlineDownTime}:
     * the mailbox's state says so. The mail waits; the job keeps coming back.
     */
    private void creatioDown(SyncJob job, CreatioCallFailedException failure) {
        Instant since = creatioFailingSince.computeIfAbsent(job.mailboxId(), id -> Instant.now());
        Duration down = Duration.between(since, Instant.now());
        if (down.compareTo(creatio.maxDownTime()) > 0) {
            try {
                states.saveDeliveryProblem(job.mailboxId(), new DeliveryProblem(job.folder(),
                        "Creatio has not accepted this mailbox's mail for " + down.toMinutes() + " min (more than "
                                + "MaxBpmonlineDownTime): " + failure.getMessage(), Instant.now()));
            } catch (RuntimeException e) {
                log.warn("Mailbox {}: recording the delivery problem failed: {}", job.mailboxId(), e.toString());
            }
        }
    }

    /**
     * Extends the lock every third of its TTL while the job runs: a long sync keeps its mailbox, and
     * the lock of a syncer that died expires within one short TTL.
     */
    private AutoCloseable keepLocked(MailboxLocks.Lock lock) {
        long period = Math.max(1, properties.lockTtl().toMillis() / 3);
        var renewal = lockRenewals.scheduleAtFixedRate(() -> {
            try {
                lock.extend(properties.lockTtl());
            } catch (RuntimeException e) {
                log.warn("Extending a mailbox lock failed: {}", e.toString());
            }
        }, period, period, TimeUnit.MILLISECONDS);
        return () -> renewal.cancel(false);
    }

    /** The mailbox's state says why its mail waits; the next successful sync clears it. */
    @Override
    public void deadLettered(SyncJob job, Exception lastFailure) {
        meters.counter("email.listener.sync.jobs.dead.lettered").increment();
        try {
            states.saveDeliveryProblem(job.mailboxId(), new DeliveryProblem(job.folder(), lastFailure.toString(),
                    Instant.now()));
        } catch (RuntimeException e) {
            log.warn("Mailbox {}: recording the delivery problem failed: {}", job.mailboxId(), e.toString());
        }
    }

    private void consumed(String outcome) {
        meters.counter("email.listener.sync.jobs.consumed", "outcome", outcome).increment();
    }

    /** A history job of one kind of server. */
    private interface HistoryJob {
        void sync(RegisteredMailbox mailbox, SyncJob job) throws Exception;
    }

    /** @return whether more new mail waits in the job's folder */
    private boolean syncWith(RegisteredMailbox mailbox, SyncJob job, ServerFolders folders, HistoryJob history)
            throws Exception {
        switch (job.reason()) {
            case HISTORY -> history.sync(mailbox, job);
            case REDELIVER -> folders.redeliver(mailbox, job.folder(), redeliveredUid(job));
            default -> {
                return folders.sync(mailbox, job.folder(), properties.maxMessagesPerJob(), seenAt(job));
            }
        }
        return false;
    }

    private static long redeliveredUid(SyncJob job) {
        return Long.parseLong(job.filter().substring("UID ".length()));
    }

    /** When the server announced the mail a job is for; null for a catch-up. */
    private static Instant seenAt(SyncJob job) {
        return job.reason() == SyncJob.Reason.NEW_MAIL ? job.createdAt() : null;
    }

    @Override
    public void handle(SyncJob job) throws Exception {
        try (var mdc = MDC.putCloseable("mailboxId", job.mailboxId().toString())) {
            sync(job);
        }
    }

    private void sync(SyncJob job) throws Exception {
        RegisteredMailbox mailbox = registry.find(job.mailboxId()).orElse(null);
        if (mailbox == null) {
            log.debug("Sync job {} is for a mailbox that is no longer served", job);
            return;
        }
        boolean more = false;
        try (MailboxLocks.Lock lock = lock(job); var renewal = keepLocked(lock)) {
            more = switch (mailbox.credentials().serverType()) {
                case IMAP -> syncWith(mailbox, job, folders, history::sync);
                case EXCHANGE -> graph.serves(mailbox.credentials())
                        ? syncWith(mailbox, job, graphFolders, graphHistory::sync)
                        : syncWith(mailbox, job, exchangeFolders, exchangeHistory::sync);
            };
        } catch (Exception e) {
            consumed("failed");
            if (e instanceof CreatioCallFailedException failure && (failure.status() == 0 || failure.status() >= 500)) {
                creatioDown(job, failure);
            }
            throw e;
        }
        consumed("done");
        creatioFailingSince.remove(job.mailboxId());
        states.clearDeliveryProblem(job.mailboxId());
        if (more) {
            jobs.publish(SyncJob.of(job.mailboxId(), job.folder(), SyncJob.Reason.BACKLOG));
        }
    }
}
