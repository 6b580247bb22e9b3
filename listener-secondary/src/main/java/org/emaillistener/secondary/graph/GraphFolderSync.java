package org.emaillistener.secondary.graph;

import java.time.Instant;

import org.emaillistener.common.exchange.ExchangeProperties;
import org.emaillistener.common.graph.GraphConnector;
import org.emaillistener.common.graph.GraphException;
import org.emaillistener.common.graph.GraphMailbox;
import org.emaillistener.common.graph.GraphMailbox.DeltaPage;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.common.route.MailProtocol;
import org.emaillistener.secondary.sync.FolderSync;
import org.emaillistener.secondary.sync.PagedFolderSync;
import org.springframework.stereotype.Component;

/**
 * Delivers the new mail of one Exchange Online folder to Creatio, page by page of Graph's message
 * delta, by the rules of {@link PagedFolderSync}: the position is the link to ask from next (a page's
 * next link, then the round's delta link); a delta link Graph no longer accepts ({@code 410 Gone})
 * restarts the folder. Graph's delta reports changed messages too, which the page loop checks
 * against the delivered ones.
 */
@Component
class GraphFolderSync implements FolderSync {

    private final GraphConnector connector;
    private final ExchangeProperties exchange;
    private final PagedFolderSync pages;

    GraphFolderSync(GraphConnector connector, ExchangeProperties exchange, PagedFolderSync pages) {
        this.connector = connector;
        this.exchange = exchange;
        this.pages = pages;
    }

    @Override
    public MailProtocol protocol() {
        return MailProtocol.GRAPH;
    }

    /**
     * @param seenAt when the change was seen, or null for a catch-up
     * @return whether more changes wait in the folder
     */
    @Override
    public boolean sync(RegisteredMailbox mailbox, String folderId, int limit, Instant seenAt) throws Exception {
        return pages.sync(mailbox, folder(connector.connect(mailbox.credentials()), folderId), limit, seenAt);
    }

    /** Delivers a parked message again, as an operator asked. */
    @Override
    public void redeliver(RegisteredMailbox mailbox, String folderId, long key) throws Exception {
        pages.redeliver(mailbox, folder(connector.connect(mailbox.credentials()), folderId), key);
    }

    /** The folder of a Graph client, as the page loop sees it. */
    PagedFolderSync.Folder folder(GraphMailbox graph, String folderId) {
        int pageSize = connector.properties().deltaPageSize();
        return new PagedFolderSync.Folder(folderId, "Graph",
                position -> page(graph.delta(folderId, position, pageSize)),
                failure -> failure instanceof GraphException e && e.deltaExpired(), graph::mime,
                failure -> failure instanceof GraphException e && e.itemNotFound(),
                messageId -> graph.categorize(messageId, exchange.synchronizedCategory()), true, false);
    }

    private static PagedFolderSync.Page page(DeltaPage page) {
        return new PagedFolderSync.Page(page.changed().stream()
                .map(message -> new PagedFolderSync.Message(message.id(), message.receivedAt(),
                        message.internetMessageId())).toList(),
                page.link(), page.more());
    }
}
