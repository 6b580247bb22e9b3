package org.emaillistener.common.jobs;

/** Does a job. Returning acknowledges it; throwing hands it back to be delivered again later. */
@FunctionalInterface
public interface SyncJobHandler {

    void handle(SyncJob job) throws Exception;
}
