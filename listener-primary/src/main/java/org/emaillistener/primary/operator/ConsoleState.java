package org.emaillistener.primary.operator;

import java.util.Set;

import org.emaillistener.common.state.FailureKind;
import org.emaillistener.common.state.SubscriptionState;

/**
 * A mailbox's state as an operator reads it: the subscription's status, refined by its last error
 * and by whether a live replica holds it.
 */
public enum ConsoleState {
    LISTENING,
    CONNECTING,
    /** A connection failed for another reason than the server being out of reach; retried. */
    RECONNECTING,
    /** The server cannot be reached (refused, TLS, timeout); retried. */
    UNREACHABLE,
    /** The server refused the credentials: not retried until Creatio sends new ones. */
    AUTH_FAILED,
    /** Given up for another reason until Creatio sends new credentials. */
    FAILED,
    WAITING_FOR_CAPACITY,
    /** Registered, but no live replica holds it (its holder stopped, or none has taken it yet). */
    UNOWNED;

    private static final Set<FailureKind> OUT_OF_REACH = Set.of(FailureKind.UNREACHABLE, FailureKind.TLS,
            FailureKind.TIMEOUT);

    static ConsoleState of(SubscriptionState state, boolean owned) {
        if (state != null && state.status() == SubscriptionState.Status.FAILED) {
            return state.errorKind() == FailureKind.AUTHENTICATION ? AUTH_FAILED : FAILED;
        }
        if (state != null && state.status() == SubscriptionState.Status.WAITING_FOR_CAPACITY) {
            return WAITING_FOR_CAPACITY;
        }
        if (!owned || state == null) {
            return UNOWNED;
        }
        return switch (state.status()) {
            case LISTENING -> LISTENING;
            case CONNECTING -> CONNECTING;
            case RECONNECTING -> state.errorKind() != null && OUT_OF_REACH.contains(state.errorKind()) ? UNREACHABLE
                    : RECONNECTING;
            case FAILED, WAITING_FOR_CAPACITY -> throw new IllegalStateException("handled above");
        };
    }
}
