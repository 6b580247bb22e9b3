package org.emaillistener.primary.graph;

import java.util.concurrent.atomic.AtomicInteger;

import org.emaillistener.common.cursor.Cursors;
import org.emaillistener.common.graph.GraphConnector;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.common.route.MailProtocol;
import org.emaillistener.primary.subscription.MailboxWatcher;
import org.emaillistener.primary.subscription.MailboxWatchers;
import org.emaillistener.primary.subscription.WatcherEvents;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** Makes Graph watchers, and counts together how many of them are listening. */
@Component
public class GraphWatchers implements MailboxWatchers {

    private final GraphConnector connector;
    private final Cursors cursors;
    private final GraphClientState clientState;
    private final AtomicInteger listening = new AtomicInteger();

    public GraphWatchers(GraphConnector connector, Cursors cursors, GraphClientState clientState,
            MeterRegistry meters) {
        this.connector = connector;
        this.cursors = cursors;
        this.clientState = clientState;
        Gauge.builder("email.listener.graph.listening", listening, AtomicInteger::get)
                .description("Graph mailboxes of this replica that are listening: subscribed to change "
                        + "notifications, or polling").register(meters);
    }

    @Override
    public MailProtocol protocol() {
        return MailProtocol.GRAPH;
    }

    /**
     * Creatio's OAuth token is for IMAP and EWS; Graph takes the listener's own app token, which
     * asking Creatio for a fresh one would not change (and its /update would just refuse again).
     */
    @Override
    public boolean logInWithCreatioToken() {
        return false;
    }

    @Override
    public MailboxWatcher create(RegisteredMailbox mailbox, WatcherEvents events) {
        return new GraphMailboxWatcher(mailbox, events, connector, cursors, clientState, listening);
    }
}
