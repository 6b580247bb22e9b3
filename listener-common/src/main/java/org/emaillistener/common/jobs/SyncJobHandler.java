package org.emaillistener.common.jobs;

/**
 * Does a job. Returning acknowledges it; throwing hands it back to be delivered again later: a
 * {@link SyncJobDeferredException} as a deferral, anything else (an {@link Error} too) as a failure.
 */
@FunctionalInterface
public interface SyncJobHandler {

    void handle(SyncJob job) throws Exception;

    /** The job failed as often as the delivery limit allows and went to the dead letters. */
    default void deadLettered(SyncJob job, Throwable lastFailure) {
    }
}
