package org.emaillistener.secondary.ews;

import java.time.Instant;

import org.emaillistener.common.exchange.ExchangeConnector;
import org.emaillistener.common.exchange.ExchangeException;
import org.emaillistener.common.exchange.ExchangeMailbox;
import org.emaillistener.common.exchange.ExchangeMailbox.SyncPage;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.common.route.MailProtocol;
import org.emaillistener.secondary.sync.FolderSync;
import org.emaillistener.secondary.sync.PagedFolderSync;
import org.springframework.stereotype.Component;

/**
 * Delivers the new mail of one Exchange folder to Creatio, page by page of {@code SyncFolderItems}
 * changes, by the rules of {@link PagedFolderSync}: the position is the folder's sync state, and a
 * state Exchange no longer accepts ({@code ErrorInvalidSyncStateData}) restarts the folder.
 */
@Component
class ExchangeFolderSync implements FolderSync {

    private final ExchangeConnector connector;
    private final PagedFolderSync pages;

    ExchangeFolderSync(ExchangeConnector connector, PagedFolderSync pages) {
        this.connector = connector;
        this.pages = pages;
    }

    @Override
    public MailProtocol protocol() {
        return MailProtocol.EWS;
    }

    /**
     * @param seenAt when the server announced new mail, or null for a catch-up
     * @return whether more changes wait in the folder
     */
    @Override
    public boolean sync(RegisteredMailbox mailbox, String folderId, int limit, Instant seenAt) throws Exception {
        try (ExchangeMailbox exchange = connector.connect(mailbox.credentials())) {
            return pages.sync(mailbox, folder(exchange, folderId), limit, seenAt);
        }
    }

    /** Delivers a parked item again, as an operator asked. */
    @Override
    public void redeliver(RegisteredMailbox mailbox, String folderId, long key) throws Exception {
        try (ExchangeMailbox exchange = connector.connect(mailbox.credentials())) {
            pages.redeliver(mailbox, folder(exchange, folderId), key);
        }
    }

    /** The folder on an open connection, as the page loop sees it. */
    PagedFolderSync.Folder folder(ExchangeMailbox exchange, String folderId) {
        int pageSize = connector.properties().syncPageSize();
        String category = connector.properties().synchronizedCategory();
        return new PagedFolderSync.Folder(folderId, "Exchange",
                position -> page(exchange.sync(folderId, position, pageSize)),
                failure -> failure instanceof ExchangeException e && e.syncStateInvalid(), exchange::fetch,
                failure -> failure instanceof ExchangeException e && e.itemNotFound(),
                itemId -> exchange.categorize(itemId, category), false, true);
    }

    private static PagedFolderSync.Page page(SyncPage page) {
        return new PagedFolderSync.Page(page.created().stream()
                .map(item -> new PagedFolderSync.Message(item.id(), item.receivedAt())).toList(), page.syncState(),
                page.more());
    }
}
