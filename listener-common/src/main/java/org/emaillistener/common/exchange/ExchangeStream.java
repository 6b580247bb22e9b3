package org.emaillistener.common.exchange;

import java.util.Set;

/** An open streaming-notification connection; closing it ends the connection, not the subscription. */
public interface ExchangeStream extends AutoCloseable {

    @Override
    void close();

    /** What a streaming connection reports; called on the connection's own thread. */
    interface Events {

        /** Items were created in these folders (NewMail and Created events of one response). */
        void newMail(Set<String> folderIds);

        /**
         * The server dropped events of the subscription ({@code ErrorMissedNotificationEvents}): a
         * catch-up finds what they announced.
         */
        void missedEvents();

        /**
         * The connection ended: at the end of its lifetime ({@code failure} null), broken, or because
         * the server no longer knows the subscription (an {@link ExchangeException} whose
         * {@link ExchangeException#subscriptionNotFound()} is true).
         */
        void ended(ExchangeException failure);
    }
}
