package org.emaillistener.common.jobs;

/**
 * The job cannot be done now for a reason that is not its own fault: Creatio does not answer, or the
 * mailbox is busy with a job that cannot wait for it. It comes back after a short, capped back-off
 * ({@link SyncJobProperties#deferralDelay}) that does not count toward the delivery limit: a Creatio
 * that is down for a while must not push mail into the dead letters.
 */
public class SyncJobDeferredException extends Exception {

    public SyncJobDeferredException(String message, Throwable cause) {
        super(message, cause);
    }
}
