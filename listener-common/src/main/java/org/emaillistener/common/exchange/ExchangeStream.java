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
         * The connection ended: at the end of its lifetime ({@code failure} null), broken, or because
         * the subscription is gone (an {@link ExchangeException} whose
         * {@link ExchangeException#subscriptionLost()} is true: the server no longer knows it, or it
         * dropped its events, {@code ErrorMissedNotificationEvents}, after which Microsoft's guidance
         * is a new subscription and a catch-up).
         */
        void ended(ExchangeException failure);
    }
}
