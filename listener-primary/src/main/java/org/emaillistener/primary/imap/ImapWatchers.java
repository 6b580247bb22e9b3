package org.emaillistener.primary.imap;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import org.emaillistener.common.cursor.Cursors;
import org.emaillistener.common.imap.ImapConnector;
import org.emaillistener.common.imap.ImapProperties;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.common.route.MailProtocol;
import org.emaillistener.primary.subscription.MailboxWatcher;
import org.emaillistener.primary.subscription.MailboxWatchers;
import org.emaillistener.primary.subscription.WatcherEvents;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Makes IMAP watchers; one timer thread serves the IDLE renewals of all of them, and they count
 * together how many of them are listening (connected, folders selected, in IDLE); their logins to one
 * server are paced together.
 */
@Component
public class ImapWatchers implements MailboxWatchers, DisposableBean {

    private final ImapConnector connector;
    private final ImapProperties properties;
    private final Cursors cursors;
    private final AtomicInteger listening = new AtomicInteger();
    private final LoginPacing logins;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("imap-idle-renewal").daemon().factory());

    public ImapWatchers(ImapConnector connector, ImapProperties properties, Cursors cursors, MeterRegistry meters) {
        this.connector = connector;
        this.properties = properties;
        this.cursors = cursors;
        this.logins = new LoginPacing(properties.loginsPerSecond());
        Gauge.builder("email.listener.subscriptions.listening", listening, AtomicInteger::get)
                .description("IMAP subscriptions of this replica that are connected and listening").register(meters);
    }

    @Override
    public MailProtocol protocol() {
        return MailProtocol.IMAP;
    }

    @Override
    public MailboxWatcher create(RegisteredMailbox mailbox, WatcherEvents events) {
        return new ImapMailboxWatcher(mailbox, events, connector, properties, cursors, timer, listening, logins);
    }

    @Override
    public void destroy() {
        timer.shutdownNow();
    }
}
