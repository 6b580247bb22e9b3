package org.emaillistener.primary.graph;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.emaillistener.common.cursor.Cursors;
import org.emaillistener.common.cursor.SyncCursor;
import org.emaillistener.common.graph.GraphConnector;
import org.emaillistener.common.graph.GraphException;
import org.emaillistener.common.graph.GraphMailbox;
import org.emaillistener.common.graph.GraphWatchedFolders;
import org.emaillistener.primary.subscription.ReconnectingWatcher;
import org.emaillistener.primary.subscription.WatcherEvents;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one Exchange Online mailbox through Graph by polling, on its own virtual thread: on connect
 * it asks for a catch-up of every watched folder; then every {@code listener.graph.poll-interval}
 * (the first poll at a random point of it, so mailboxes started together do not poll together) it
 * reads each folder's delta after the folder's cursor and asks for a sync only of a folder that
 * changed. The cursor itself is moved only by the sync. A failed call reconnects as
 * {@link ReconnectingWatcher} does; the reconnect's catch-up covers whatever was missed meanwhile.
 */
class GraphMailboxWatcher extends ReconnectingWatcher {

    private static final Logger log = LoggerFactory.getLogger(GraphMailboxWatcher.class);

    private final GraphConnector connector;
    private final Cursors cursors;

    GraphMailboxWatcher(RegisteredMailbox mailbox, WatcherEvents events, GraphConnector connector, Cursors cursors) {
        super(mailbox, events, "graph-watch-", Duration.ofSeconds(1), Duration.ofMinutes(5));
        this.connector = connector;
        this.cursors = cursors;
    }

    @Override
    protected void connectAndWatch(Runnable connected) throws GraphException {
        GraphMailbox graph = connector.connect(mailbox.credentials());
        List<String> folders = GraphWatchedFolders.of(graph, mailbox.credentials().FolderIds());
        if (stopped()) {
            return;
        }
        connected.run();
        events.listening(folders);
        Duration interval = connector.properties().pollInterval();
        pause(Duration.ofMillis(ThreadLocalRandom.current().nextLong(Math.max(1, interval.toMillis()))));
        while (!stopped()) {
            for (String folder : folders) {
                if (!stopped() && changed(graph, folder)) {
                    events.newMail(folder);
                }
            }
            pause(interval);
        }
    }

    /** Whether the folder may hold mail its cursor is not past: it changed, or its first pass is not done. */
    private boolean changed(GraphMailbox graph, String folder) throws GraphException {
        SyncCursor cursor = cursors.find(mailbox.id(), folder).orElse(null);
        if (cursor == null || cursor.syncState() == null || cursor.skipBefore() != null
                || cursor.recheckUpTo() != 0) {
            return true;
        }
        try {
            return graph.changedSince(cursor.syncState());
        } catch (GraphException e) {
            if (e.deltaExpired()) {
                log.info("Mailbox {} folder {}: Graph no longer accepts the delta link; syncing", mailbox.id(), folder);
                return true;
            }
            throw e;
        }
    }

    @Override
    protected void disconnect() {
        // A poller holds no connection: stop() ends its pause.
    }
}
