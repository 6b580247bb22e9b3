package org.emaillistener.common.jobs;

/**
 * The queue of sync jobs. A published job is delivered to a consumer at least once; a job whose
 * handler fails is delivered again after a back-off, up to a delivery limit.
 */
public interface SyncJobs {

    /**
     * Returns once the job is safely queued.
     *
     * @throws SyncJobNotQueuedException if the queue could not confirm it
     */
    void publish(SyncJob job);

    /** Starts delivering jobs to the handler. */
    void consume(SyncJobHandler handler);
}
