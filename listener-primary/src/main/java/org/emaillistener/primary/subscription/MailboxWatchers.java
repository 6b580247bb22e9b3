package org.emaillistener.primary.subscription;

import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.common.route.ForProtocol;

/** Makes the watchers of one protocol's mailboxes: the watching role of a route. */
public interface MailboxWatchers extends ForProtocol {

    MailboxWatcher create(RegisteredMailbox mailbox, WatcherEvents events);

    /**
     * Whether the watchers log in with the OAuth token Creatio sent, so that a refused login asks
     * Creatio for a fresh one ({@code RefreshToken}); a protocol that logs in with the listener's own
     * credentials says no.
     */
    default boolean logInWithCreatioToken() {
        return true;
    }
}
