package org.emaillistener.primary.subscription;

/**
 * Keeps a live connection to one mailbox and reports what it sees to its {@link WatcherEvents}.
 * It knows its mail protocol, not Creatio.
 */
public interface MailboxWatcher {

    void start();

    /** Stops watching and frees the connection; returns at once, without waiting for the connection. */
    void stop();
}
