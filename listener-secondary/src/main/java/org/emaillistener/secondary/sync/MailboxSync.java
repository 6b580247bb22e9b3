package org.emaillistener.secondary.sync;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.emaillistener.common.creatio.CreatioCallFailedException;
import org.emaillistener.common.creatio.CreatioProperties;
import org.emaillistener.common.state.MailboxFailure;
import org.emaillistener.common.jobs.MailboxLocks;
import org.emaillistener.common.jobs.MailboxLocks.Dirty;
import org.emaillistener.common.jobs.SyncJob;
import org.emaillistener.common.jobs.SyncJobDeferredException;
import org.emaillistener.common.jobs.SyncJobHandler;
import org.emaillistener.common.jobs.SyncJobs;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.common.route.MailRoute;
import org.emaillistener.common.route.MailRoutes;
import org.emaillistener.common.route.PerProtocol;
import org.emaillistener.common.state.DeliveryProblem;
import org.emaillistener.common.state.SubscriptionStates;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Handles sync jobs: a job for a closed mailbox is done at once; otherwise the mailbox is locked (one
 * syncer per mailbox) and the folder synced. A failure leaves the cursor where Creatio's last 2xx
 * put it and hands the job back to the queue.
 * <p>
 * A folder job never waits for the lock: it {@linkplain MailboxLocks marks its folder dirty} and
 * tries the lock; if another syncer holds the mailbox, the job is done, because the holder syncs
 * every marked folder before it lets go. So new mail announced during a sync is synced right after
 * it, by the syncer that is already connected. History imports and re-deliveries, which cannot be
 * merged into a folder sync, are {@linkplain SyncJobDeferredException deferred} while the mailbox is
 * busy, as are jobs that Creatio cannot take now: neither counts toward the delivery limit.
 */
@Service
class MailboxSync implements SyncJobHandler {

    private static final Logger log = LoggerFactory.getLogger(MailboxSync.class);

    private final JobMailboxes mailboxes;
    private final MailboxLocks locks;
    private final SyncJobs jobs;
    private final MailRoutes routes;
    private final PerProtocol<FolderSync> folders;
    private final PerProtocol<HistorySync> histories;
    private final SyncProperties properties;
    private final SubscriptionStates states;
    private final CreatioProperties creatio;
    private final MeterRegistry meters;
    private final Timer jobWait;
    /** Per mailbox, since when Creatio has failed its deliveries; this process's view is enough. */
    private final Map<UUID, Instant> creatioFailingSince = new ConcurrentHashMap<>();
    private final ScheduledExecutorService lockRenewals = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("mailbox-lock-renewal").daemon().factory());

    MailboxSync(JobMailboxes mailboxes, MailboxLocks locks, SyncJobs jobs, MailRoutes routes, List<FolderSync> folders,
            List<HistorySync> histories, SyncProperties properties, SubscriptionStates states,
            CreatioProperties creatio, MeterRegistry meters) {
        this.mailboxes = mailboxes;
        this.locks = locks;
        this.jobs = jobs;
        this.routes = routes;
        this.folders = PerProtocol.from("Folder sync", folders);
        this.histories = PerProtocol.from("History import", histories);
        this.properties = properties;
        this.states = states;
        this.creatio = creatio;
        this.meters = meters;
        Gauge.builder("email.listener.sync.queue.depth", jobs, SyncJobs::depth)
                .description("Sync jobs waiting in the queue").register(meters);
        Gauge.builder("email.listener.sync.dead.letters", jobs, SyncJobs::deadLetterDepth)
                .description("Sync jobs given up after the delivery limit, waiting for an operator's replay")
                .register(meters);
        // Registered at start, so that they read 0 (not absent) until the first event: alerts on
        // their increase work from the first scrape.
        Counter.builder("email.listener.messages.parked")
                .description("Messages Creatio refused listener.sync.max-rejections times, set aside for an operator")
                .register(meters);
        Counter.builder("email.listener.sync.jobs.dead.lettered")
                .description("Sync jobs given up after the delivery limit").register(meters);
        this.jobWait = Timer.builder("email.listener.sync.job.wait")
                .description("From a sync job's creation to the start of its handling: how long work waits")
                .publishPercentileHistogram().register(meters);
    }

    @EventListener(ApplicationReadyEvent.class)
    void startConsuming() {
        jobs.consume(this);
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
    public void deadLettered(SyncJob job, Throwable lastFailure) {
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

    /** A history import or re-delivery: work that is not a folder's sync. */
    private void runOwnJob(RegisteredMailbox mailbox, MailRoute route, SyncJob job) throws Exception {
        if (job.reason() == SyncJob.Reason.REDELIVER) {
            folders.of(route).redeliver(mailbox, job.folder(), redeliveredUid(job));
            return;
        }
        histories.of(route).sync(mailbox, job);
    }

    private static boolean isFolderSync(SyncJob job) {
        return job.reason() != SyncJob.Reason.HISTORY && job.reason() != SyncJob.Reason.REDELIVER;
    }

    private static long redeliveredUid(SyncJob job) {
        return Long.parseLong(job.filter().substring("UID ".length()));
    }

    @Override
    public void handle(SyncJob job) throws Exception {
        if (job.createdAt() != null) {
            Duration waited = Duration.between(job.createdAt(), Instant.now());
            jobWait.record(waited.isNegative() ? Duration.ZERO : waited);
        }
        try (var mdc = MDC.putCloseable("mailboxId", job.mailboxId().toString())) {
            sync(job);
        }
    }

    private void sync(SyncJob job) throws Exception {
        JobMailboxes.Served served = mailboxes.of(job).orElse(null);
        if (served == null) {
            log.debug("Sync job {} is for a mailbox that is no longer served", job);
            return;
        }
        RegisteredMailbox mailbox = served.mailbox();
        boolean folderSync = isFolderSync(job);
        if (folderSync) {
            locks.markDirty(job.mailboxId(), job.folder(), Dirty.of(job));
        }
        Optional<MailboxLocks.Lock> lock = locks.tryLock(job.mailboxId(), properties.lockTtl());
        if (lock.isEmpty()) {
            if (folderSync) {
                log.debug("Sync job {}: the mailbox is being synced; its syncer takes this folder next", job);
                consumed("coalesced");
                return;
            }
            consumed("deferred");
            throw new SyncJobDeferredException("mailbox " + job.mailboxId() + " is being synced by another syncer",
                    null);
        }
        Set<String> backlog;
        try {
            backlog = holding(mailbox, job, lock.get());
        } catch (CreatioCallFailedException failure) {
            if (failure.creatioUnavailable()) {
                creatioDown(job, failure);
                consumed("deferred");
                throw new SyncJobDeferredException(failure.getMessage(), failure);
            }
            consumed("failed");
            throw failure;
        } catch (Exception e) {
            consumed("failed");
            throw withoutSecret(e, mailbox.credentials().secret());
        } catch (Error e) {
            consumed("failed");
            throw e;
        }
        consumed("done");
        mailboxes.ran(job, served);
        creatioFailingSince.remove(job.mailboxId());
        states.clearDeliveryProblem(job.mailboxId());
        for (String folder : backlog) {
            jobs.publish(SyncJob.of(job.mailboxId(), folder, SyncJob.Reason.BACKLOG));
        }
    }

    /**
     * The failure as the job's failure is logged: a server may echo the password it refused, so a
     * failure whose messages carry the mailbox's secret is replaced by one without it.
     */
    private static Exception withoutSecret(Exception failure, String secret) {
        if (!MailboxFailure.mentions(failure, secret)) {
            return failure;
        }
        Throwable scrubbed = MailboxFailure.withoutSecret(failure, secret);
        return new IllegalStateException(scrubbed.getMessage(), scrubbed);
    }

    /**
     * With the mailbox locked: the job's own work, then every folder marked dirty, again and again,
     * until the lock can be let go with nothing marked. On a failure, the folders not synced yet are
     * marked again (their jobs were done on the promise of this sync) and the lock let go.
     *
     * @return the folders where more mail waits than one sync delivers
     */
    private Set<String> holding(RegisteredMailbox mailbox, SyncJob job, MailboxLocks.Lock lock) throws Exception {
        Map<String, Dirty> pending = new LinkedHashMap<>();
        Set<String> backlog = new LinkedHashSet<>();
        try (var renewal = keepLocked(lock)) {
            MailRoute route = routes.of(mailbox.credentials());
            if (!isFolderSync(job)) {
                runOwnJob(mailbox, route, job);
            }
            FolderSync server = folders.of(route);
            while (true) {
                lock.takeDirty().forEach((folder, dirty) -> pending.merge(folder, dirty, Dirty::merge));
                if (pending.isEmpty()) {
                    if (lock.releaseIfClean()) {
                        return backlog;
                    }
                    continue;
                }
                var next = pending.entrySet().iterator().next();
                if (syncFolder(mailbox, server, next.getKey(), next.getValue())) {
                    backlog.add(next.getKey());
                }
                pending.remove(next.getKey());
            }
        } catch (Exception | Error e) {
            try {
                pending.forEach((folder, dirty) -> locks.markDirty(mailbox.id(), folder, dirty));
            } catch (RuntimeException marking) {
                log.warn("Mailbox {}: marking folders for the next sync failed: {}", mailbox.id(), marking.toString());
            }
            lock.close();
            throw e;
        }
    }

    /**
     * One folder's sync, with the trigger bound for {@link MessageDelivery}: mail a periodic safety
     * sync finds while Creatio answers is mail whose event was missed.
     *
     * @return whether more new mail waits in the folder
     */
    private boolean syncFolder(RegisteredMailbox mailbox, FolderSync server, String folder, Dirty dirty)
            throws Exception {
        Instant seenAt = dirty.reason() == SyncJob.Reason.NEW_MAIL ? dirty.since() : null;
        SyncJob.Reason trigger = creatioFailingSince.containsKey(mailbox.id()) ? SyncJob.Reason.CONNECTED
                : dirty.reason();
        return ScopedValue.where(MessageDelivery.TRIGGER, trigger)
                .call(() -> server.sync(mailbox, folder, properties.maxMessagesPerJob(), seenAt));
    }
}
