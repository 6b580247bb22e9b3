package org.emaillistener.common.graph;

/**
 * A caller asked the listener to act for a Graph mailbox without proving they are its user; the
 * message says what is missing or wrong, for Creatio's user, and names no secret.
 */
public class GraphSignInException extends GraphException {

    public GraphSignInException(String message) {
        super(message, 403, "signInNotProven", null);
    }
}
