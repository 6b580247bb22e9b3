package org.emaillistener.primary.mailbox;

/**
 * The route does not register the mailbox for this caller: the caller was not proven to be the
 * mailbox's user ({@link #refused()}; the API answers 403), or that cannot be told now (503).
 */
public class SubscriberNotVerifiedException extends Exception {

    private final boolean refused;

    private SubscriberNotVerifiedException(String message, boolean refused, Throwable cause) {
        super(message, cause);
        this.refused = refused;
    }

    public static SubscriberNotVerifiedException refused(String message, Throwable cause) {
        return new SubscriberNotVerifiedException(message, true, cause);
    }

    public static SubscriberNotVerifiedException uncheckable(String message, Throwable cause) {
        return new SubscriberNotVerifiedException(message, false, cause);
    }

    public boolean refused() {
        return refused;
    }
}
