package org.emaillistener.secondary.sync;

import org.emaillistener.common.exchange.ExchangeConnector;
import org.emaillistener.common.exchange.ExchangeMailbox;
import org.emaillistener.common.exchange.ExchangeWatchedFolders;
import org.emaillistener.common.jobs.SyncJob;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.springframework.stereotype.Component;

/**
 * Delivers the older mail of an Exchange mailbox that a history import asks for, by the rules of
 * {@link PagedHistorySync}: EWS's {@code FindItem} finds the items received in the window.
 */
@Component
public class ExchangeHistorySync {

    private final ExchangeConnector connector;
    private final ExchangeFolderSync folders;
    private final PagedHistorySync history;

    ExchangeHistorySync(ExchangeConnector connector, ExchangeFolderSync folders, PagedHistorySync history) {
        this.connector = connector;
        this.folders = folders;
        this.history = history;
    }

    /** Does one job of a history import; the caller holds the mailbox's lock. */
    public void sync(RegisteredMailbox mailbox, SyncJob job) throws Exception {
        history.sync(mailbox, job, () -> {
            ExchangeMailbox exchange = connector.connect(mailbox.credentials());
            return new PagedHistorySync.RemoteMailbox(
                    () -> ExchangeWatchedFolders.of(exchange, mailbox.credentials().FolderIds()),
                    (folderId, from, until, max) -> found(exchange.received(folderId, from, until, 0, max)),
                    folderId -> folders.folder(exchange, folderId), exchange);
        });
    }

    private static PagedHistorySync.Found found(ExchangeMailbox.ItemPage page) {
        return new PagedHistorySync.Found(page.items().stream()
                .map(item -> new PagedFolderSync.Message(item.id(), item.receivedAt())).toList(), page.more());
    }
}
