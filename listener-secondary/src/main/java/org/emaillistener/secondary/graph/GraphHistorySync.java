package org.emaillistener.secondary.graph;

import org.emaillistener.common.graph.GraphConnector;
import org.emaillistener.common.graph.GraphMailbox;
import org.emaillistener.common.graph.GraphWatchedFolders;
import org.emaillistener.common.jobs.SyncJob;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.common.route.MailProtocol;
import org.emaillistener.secondary.sync.HistorySync;
import org.emaillistener.secondary.sync.PagedFolderSync;
import org.emaillistener.secondary.sync.PagedHistorySync;
import org.springframework.stereotype.Component;

/**
 * Delivers the older mail of an Exchange Online mailbox that a history import asks for, by the rules
 * of {@link PagedHistorySync}: Graph lists a folder's messages filtered and sorted by
 * {@code receivedDateTime}.
 */
@Component
class GraphHistorySync implements HistorySync {

    private final GraphConnector connector;
    private final GraphFolderSync folders;
    private final PagedHistorySync history;

    GraphHistorySync(GraphConnector connector, GraphFolderSync folders, PagedHistorySync history) {
        this.connector = connector;
        this.folders = folders;
        this.history = history;
    }

    @Override
    public MailProtocol protocol() {
        return MailProtocol.GRAPH;
    }

    /** Does one job of a history import; the caller holds the mailbox's lock. */
    @Override
    public void sync(RegisteredMailbox mailbox, SyncJob job) throws Exception {
        history.sync(mailbox, job, () -> {
            GraphMailbox graph = connector.connect(mailbox.credentials());
            // A Graph client holds no connection: nothing to close.
            return new PagedHistorySync.RemoteMailbox(
                    () -> GraphWatchedFolders.of(graph, mailbox.credentials().FolderIds()),
                    (folderId, from, until, max) -> found(graph.received(folderId, from, until, max)),
                    folderId -> folders.folder(graph, folderId), () -> { });
        });
    }

    private static PagedHistorySync.Found found(GraphMailbox.ReceivedPage page) {
        return new PagedHistorySync.Found(page.messages().stream()
                .map(message -> new PagedFolderSync.Message(message.id(), message.receivedAt())).toList(),
                page.more());
    }
}
