package org.emaillistener.primary.graph;

import org.emaillistener.common.cursor.Cursors;
import org.emaillistener.common.graph.GraphConnector;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.primary.subscription.MailboxWatcher;
import org.emaillistener.primary.subscription.WatcherEvents;
import org.springframework.stereotype.Component;

/** Makes Graph watchers. */
@Component
public class GraphWatchers {

    private final GraphConnector connector;
    private final Cursors cursors;

    public GraphWatchers(GraphConnector connector, Cursors cursors) {
        this.connector = connector;
        this.cursors = cursors;
    }

    /** Whether Graph, not EWS, serves this Exchange mailbox. */
    public boolean serves(RegisteredMailbox mailbox) {
        return connector.serves(mailbox.credentials());
    }

    public MailboxWatcher create(RegisteredMailbox mailbox, WatcherEvents events) {
        return new GraphMailboxWatcher(mailbox, events, connector, cursors);
    }
}
