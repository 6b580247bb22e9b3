package org.emaillistener.common.creatio;

/**
 * A callback to Creatio that did not end in 2xx. {@code status} is 0 when no HTTP answer came at all
 * (connection refused, timeout). Creatio reports its own exceptions as 400, so a 400 is not proof
 * that a retry is useless.
 */
public class CreatioCallFailedException extends Exception {

    private final int status;

    public CreatioCallFailedException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public int status() {
        return status;
    }

    /**
     * Creatio could not take the call now (no answer, a 5xx, a 429, or its circuit open), as opposed
     * to answering it: the mail waits for Creatio, and that is not the mail's fault.
     */
    public boolean creatioUnavailable() {
        return status == 0 || status >= 500 || status == 429;
    }
}
