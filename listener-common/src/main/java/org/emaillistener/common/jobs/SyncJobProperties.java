package org.emaillistener.common.jobs;

import java.time.Duration;

import org.emaillistener.common.retry.Backoff;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.Min;

/**
 * How sync jobs are consumed and retried.
 *
 * @param concurrency how many jobs one consumer works on at once
 * @param retryInitialDelay the wait before the first redelivery of a failed job
 * @param retryMaxDelay the cap of the exponential back-off between redeliveries
 * @param deliveryLimit how often a job fails before it is dead-lettered; the mailbox's cursor has
 *        not moved, so the next job for it picks the mail up again. Deferrals do not count.
 * @param deferralInitialDelay the wait before a {@linkplain SyncJobDeferredException deferred} job
 *        (Creatio unavailable, mailbox busy) is tried again the first time
 * @param deferralMaxDelay the cap of the back-off between deferrals: how long, at most, mail waits
 *        after Creatio is back (plus the circuit's {@code open-for})
 */
@Validated
@ConfigurationProperties("listener.jobs")
public record SyncJobProperties(
        @DefaultValue("16") @Min(1) int concurrency,
        @DefaultValue("1s") Duration retryInitialDelay,
        @DefaultValue("2m") Duration retryMaxDelay,
        @DefaultValue("20") @Min(1) int deliveryLimit,
        @DefaultValue("500ms") Duration deferralInitialDelay,
        @DefaultValue("15s") Duration deferralMaxDelay) {

    /** Capped exponential back-off with full jitter between half and all of the step. */
    public Duration retryDelay(int failedDeliveries) {
        return Backoff.exponential(retryInitialDelay, retryMaxDelay, failedDeliveries);
    }

    /** The same back-off for deferrals, on its shorter scale. */
    public Duration deferralDelay(int deferrals) {
        return Backoff.exponential(deferralInitialDelay, deferralMaxDelay, deferrals);
    }
}
