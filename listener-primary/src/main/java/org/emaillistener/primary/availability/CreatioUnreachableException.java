package org.emaillistener.primary.availability;

/** Creatio's callback URL gave no HTTP answer; the message names the host and the reason. */
public class CreatioUnreachableException extends Exception {

    private final boolean timedOut;

    CreatioUnreachableException(String message, boolean timedOut) {
        super(message);
        this.timedOut = timedOut;
    }

    /** No answer within the time allowed, as opposed to a refused or failed connection. */
    public boolean timedOut() {
        return timedOut;
    }
}
