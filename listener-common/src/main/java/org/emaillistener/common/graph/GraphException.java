package org.emaillistener.common.graph;

/** A Graph call that failed: its HTTP status (0: no answer) and Graph's error code, when it gave one. */
public class GraphException extends Exception {

    private final int status;
    private final String code;

    public GraphException(String message, int status, String code, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** The delta link is no longer accepted ({@code 410 Gone}, syncStateNotFound): sync again from the start. */
    public boolean deltaExpired() {
        return status == 410 || "syncStateNotFound".equals(code) || "resyncRequired".equals(code);
    }

    public boolean itemNotFound() {
        return status == 404;
    }
}
