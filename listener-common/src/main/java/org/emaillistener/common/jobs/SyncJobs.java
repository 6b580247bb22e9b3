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

    /** How many jobs were given up after the delivery limit and wait to be replayed (-1: cannot be told now). */
    long deadLetterDepth();

    /**
     * Queues up to {@code max} dead-lettered jobs again, oldest first, as new jobs (their failure
     * counts start again); returns how many. A job leaves the dead letters only once it is queued.
     */
    int replayDeadLetters(int max);

    /**
     * Whether every consumer {@link #consume} started is at work (true before it is called): a worker
     * that died is being replaced, and the process should not be sent more work meanwhile.
     */
    boolean consuming();
}
