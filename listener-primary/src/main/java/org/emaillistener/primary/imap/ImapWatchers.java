package org.emaillistener.primary.imap;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.emaillistener.common.cursor.Cursors;
import org.emaillistener.common.imap.ImapConnector;
import org.emaillistener.common.imap.ImapProperties;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.primary.subscription.MailboxWatcher;
import org.emaillistener.primary.subscription.WatcherEvents;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/** Makes IMAP watchers; one timer thread serves the IDLE renewals of all of them. */
@Component
public class ImapWatchers implements DisposableBean {

    private final ImapConnector connector;
    private final ImapProperties properties;
    private final Cursors cursors;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("imap-idle-renewal").daemon().factory());

    public ImapWatchers(ImapConnector connector, ImapProperties properties, Cursors cursors) {
        this.connector = connector;
        this.properties = properties;
        this.cursors = cursors;
    }

    public MailboxWatcher create(RegisteredMailbox mailbox, WatcherEvents events) {
        return new ImapMailboxWatcher(mailbox, events, connector, properties, cursors, timer);
    }

    @Override
    public void destroy() {
        timer.shutdownNow();
    }
}
