package org.emaillistener.common.jobs;

/**
 * The queue of sync jobs. A published job is delivered to a consumer at least once; a job whose
 * handler fails is delivered again after a back-off, up to a delivery limit, and one it defers
 * ({@link SyncJobDeferredException}) after a shorter back-off, without a limit.
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

    /** How many jobs wait in the queue (-1 when it cannot be told now). */
    long depth();

    /**
     * Whether every consumer {@link #consume} started is at work (true before it is called): a worker
     * that died is being replaced, and the process should not be sent more work meanwhile.
     */
    boolean consuming();
}
