package org.emaillistener.primary.subscription;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.emaillistener.common.jobs.SyncJob;
import org.emaillistener.common.jobs.SyncJobs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Where the primary publishes sync jobs. When the queue cannot take a job (the broker is down or
 * does not confirm), the job is kept, one per mailbox folder, and published again every few seconds
 * until the broker is back; meanwhile the subscriptions go on and the replica reports itself not
 * ready. Nothing is lost: a kept job stands for "this folder may have new mail", and the cursor
 * decides what that is when it runs.
 */
@Component("syncJobOutbox")
public class SyncJobOutbox implements HealthIndicator, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(SyncJobOutbox.class);
    private static final Duration RETRY_EVERY = Duration.ofSeconds(2);

    private final SyncJobs jobs;
    private final MeterRegistry meters;
    private final Map<String, SyncJob> kept = new ConcurrentHashMap<>();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("sync-job-outbox").daemon().factory());

    public SyncJobOutbox(SyncJobs jobs, MeterRegistry meters) {
        this.jobs = jobs;
        this.meters = meters;
        Gauge.builder("email.listener.sync.jobs.kept", kept, Map::size)
                .description("Sync jobs kept while the queue cannot take them").register(meters);
        retries.scheduleWithFixedDelay(this::flush, RETRY_EVERY.toMillis(), RETRY_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Publishes the job, or keeps it for later if the queue cannot take it now; never throws. */
    public void publish(SyncJob job) {
        if (!kept.isEmpty()) {
            // The queue is failing: don't make every event wait for its timeout.
            keep(job, null);
            return;
        }
        try {
            jobs.publish(job);
            published(job);
        } catch (RuntimeException e) {
            keep(job, e);
        }
    }

    private void published(SyncJob job) {
        meters.counter("email.listener.sync.jobs.published", "reason", job.reason().name().toLowerCase(Locale.ROOT))
                .increment();
    }

    private void keep(SyncJob job, RuntimeException failure) {
        boolean first = kept.isEmpty();
        kept.putIfAbsent(job.key(), job);
        if (first && failure != null) {
            log.warn("The sync-job queue cannot take jobs ({}); keeping them and retrying every {} s",
                    failure.getMessage(), RETRY_EVERY.toSeconds());
        }
    }

    private void flush() {
        if (kept.isEmpty()) {
            return;
        }
        int published = 0;
        for (Map.Entry<String, SyncJob> entry : kept.entrySet()) {
            try {
                jobs.publish(entry.getValue());
            } catch (RuntimeException e) {
                log.debug("The sync-job queue still cannot take jobs: {}", e.getMessage());
                return;
            }
            kept.remove(entry.getKey(), entry.getValue());
            published(entry.getValue());
            published++;
        }
        log.info("The sync-job queue takes jobs again: published {} kept job(s)", published);
    }

    /** Part of readiness: a replica that cannot queue jobs should not be sent more mailboxes. */
    @Override
    public Health health() {
        return kept.isEmpty() ? Health.up().build()
                : Health.outOfService().withDetail("keptJobs", kept.size()).build();
    }

    @Override
    public void destroy() {
        retries.shutdownNow();
    }
}
