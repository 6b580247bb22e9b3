package org.emaillistener.primary.graph;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import org.emaillistener.common.cursor.Cursors;
import org.emaillistener.common.cursor.SyncCursor;
import org.emaillistener.common.graph.GraphConnector;
import org.emaillistener.common.graph.GraphException;
import org.emaillistener.common.graph.GraphMailbox;
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
    /** Graph's well-known folders that are not where Creatio's mail comes from, as for EWS. */
    private static final List<String> UNWATCHED = List.of("drafts", "junkemail", "deleteditems", "outbox");

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
        List<String> folders = watchedFolders(graph);
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

    /**
     * {@code FolderIds} as Creatio picked them, by their Graph ids, or with none the Inbox and every
     * other mail folder except Drafts, Junk Email, Deleted Items and the Outbox; the Inbox first.
     */
    private List<String> watchedFolders(GraphMailbox graph) throws GraphException {
        List<String> picked = mailbox.credentials().FolderIds();
        if (!picked.isEmpty()) {
            return graphFolderIds(graph, picked);
        }
        String inbox = graph.wellKnownFolderId("inbox");
        Set<String> unwatched = new LinkedHashSet<>();
        for (String name : UNWATCHED) {
            try {
                unwatched.add(graph.wellKnownFolderId(name));
            } catch (GraphException e) {
                if (!e.itemNotFound()) {
                    throw e;
                }
                // A mailbox without that folder: nothing to leave out.
            }
        }
        List<String> folders = new ArrayList<>();
        folders.add(inbox);
        for (GraphMailbox.GraphFolder folder : graph.folders()) {
            if (!folder.id().equals(inbox) && !unwatched.contains(folder.id())) {
                folders.add(folder.id());
            }
        }
        return folders;
    }

    /**
     * The picked folders by their Graph ids. Creatio's {@code FolderIds} are the ids its folder list
     * gave: Graph's for a mailbox listed through Graph, EWS's for one listed while it was served over
     * EWS. Each id is looked up as a folder; those Graph refuses are translated from EWS's form, all in
     * one call. An id Graph can translate neither stays as it is, to fail where any folder Graph does
     * not know fails.
     */
    private List<String> graphFolderIds(GraphMailbox graph, List<String> picked) throws GraphException {
        Map<String, String> ids = new LinkedHashMap<>();
        List<String> refused = new ArrayList<>();
        for (String id : new LinkedHashSet<>(picked)) {
            try {
                ids.put(id, graph.folderId(id));
            } catch (GraphException e) {
                if (e.status() != 400 && e.status() != 404) {
                    throw e;
                }
                ids.put(id, id);
                refused.add(id);
            }
        }
        if (!refused.isEmpty()) {
            for (GraphMailbox.IdTranslation translation : graph.folderIdsFromEws(refused)) {
                if (translation.targetId() != null) {
                    ids.put(translation.sourceId(), translation.targetId());
                } else {
                    log.warn("Mailbox {}: folder {} is neither a Graph nor an EWS folder id Graph knows: {}",
                            mailbox.id(), translation.sourceId(), translation.error());
                }
            }
        }
        return List.copyOf(new LinkedHashSet<>(ids.values()));
    }

    @Override
    protected void disconnect() {
        // A poller holds no connection: stop() ends its pause.
    }
}
