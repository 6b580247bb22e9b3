package org.emaillistener.common.state;

import java.time.Instant;

/**
 * The state of one mailbox's subscription.
 *
 * @param status what the subscription is doing
 * @param errorKind the kind of the last failure, or null
 * @param errorMessage the last failure, for people, or null
 * @param since when the status was entered
 * @param lastEventAt when the server last announced new mail, or null
 * @param failures how many times in a row the connection failed since it last listened (0 when it
 *        listens; counted by the replica holding it)
 */
public record SubscriptionState(Status status, FailureKind errorKind, String errorMessage, Instant since,
        Instant lastEventAt, int failures) {

    public SubscriptionState(Status status, FailureKind errorKind, String errorMessage, Instant since,
            Instant lastEventAt) {
        this(status, errorKind, errorMessage, since, lastEventAt, 0);
    }

    public SubscriptionState(Status status, FailureKind errorKind, String errorMessage, Instant since) {
        this(status, errorKind, errorMessage, since, null);
    }

    public static SubscriptionState of(Status status) {
        return new SubscriptionState(status, null, null, Instant.now());
    }

    public static SubscriptionState failing(Status status, FailureKind kind, String message) {
        return new SubscriptionState(status, kind, message, Instant.now());
    }

    /** The {@code failures}-th failure in a row. */
    public static SubscriptionState failing(Status status, FailureKind kind, String message, int failures) {
        return new SubscriptionState(status, kind, message, Instant.now(), null, failures);
    }

    public SubscriptionState withEventAt(Instant at) {
        return new SubscriptionState(status, errorKind, errorMessage, since, at, failures);
    }

    /**
     * Listening, or on its way to: Creatio's {@code subscriptionsstate} answers {@code exists}. A mailbox
     * waiting for capacity is registered and will be served when a replica has room: a {@code recreate}
     * would change nothing, so Creatio is not asked for one (it was told by {@code ProcessMailboxState}).
     */
    public boolean alive() {
        return status == Status.CONNECTING || status == Status.LISTENING || status == Status.RECONNECTING
                || status == Status.WAITING_FOR_CAPACITY;
    }

    public enum Status {
        CONNECTING,
        LISTENING,
        /** A connection failed; another attempt is scheduled. */
        RECONNECTING,
        /** Given up until Creatio sends new credentials (update or recreate). */
        FAILED,
        /** Registered, but every replica that could serve it is at its {@code listener.primary.capacity}. */
        WAITING_FOR_CAPACITY
    }
}
