package org.emaillistener.secondary.sync;

import org.emaillistener.common.jobs.SyncJobs;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Readiness of the syncer: out of service while a sync-job consumer that died is being replaced (or,
 * with RabbitMQ, while fewer consumers than configured are attached), so that no more work is routed
 * to a process that cannot do it.
 */
@Component("syncJobConsumers")
class SyncJobConsumers implements HealthIndicator {

    private final SyncJobs jobs;

    SyncJobConsumers(SyncJobs jobs) {
        this.jobs = jobs;
    }

    @Override
    public Health health() {
        return jobs.consuming() ? Health.up().build()
                : Health.outOfService().withDetail("reason", "a sync-job consumer is being replaced").build();
    }
}
