package org.emaillistener.common.jobs;

/**
 * The queue did not confirm that it holds a published job: the broker refused or could not route
 * it, or did not answer in time. The job may or may not be queued; publishing it again is safe.
 */
public class SyncJobNotQueuedException extends RuntimeException {

    public SyncJobNotQueuedException(String message) {
        super(message);
    }

    public SyncJobNotQueuedException(String message, Throwable cause) {
        super(message, cause);
    }
}
