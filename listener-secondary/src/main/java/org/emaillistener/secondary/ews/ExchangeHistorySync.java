package org.emaillistener.secondary.ews;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.emaillistener.common.exchange.ExchangeConnector;
import org.emaillistener.common.exchange.ExchangeException;
import org.emaillistener.common.exchange.ExchangeMailbox;
import org.emaillistener.common.exchange.ExchangeWatchedFolders;
import org.emaillistener.common.jobs.SyncJob;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.common.route.MailProtocol;
import org.emaillistener.secondary.sync.HistorySync;
import org.emaillistener.secondary.sync.PagedFolderSync;
import org.emaillistener.secondary.sync.PagedHistorySync;
import org.springframework.stereotype.Component;

/**
 * Delivers the older mail of an Exchange mailbox that a history import asks for, by the rules of
 * {@link PagedHistorySync}: EWS's {@code FindItem} finds the items received in the window.
 */
@Component
class ExchangeHistorySync implements HistorySync {

    private final ExchangeConnector connector;
    private final ExchangeFolderSync folders;
    private final PagedHistorySync history;

    ExchangeHistorySync(ExchangeConnector connector, ExchangeFolderSync folders, PagedHistorySync history) {
        this.connector = connector;
        this.folders = folders;
        this.history = history;
    }

    @Override
    public MailProtocol protocol() {
        return MailProtocol.EWS;
    }

    /** Does one job of a history import; the caller holds the mailbox's lock. */
    @Override
    public void sync(RegisteredMailbox mailbox, SyncJob job) throws Exception {
        history.sync(mailbox, job, () -> {
            ExchangeMailbox exchange = connector.connect(mailbox.credentials());
            return new PagedHistorySync.RemoteMailbox(
                    () -> ExchangeWatchedFolders.of(exchange, mailbox.credentials().FolderIds()),
                    (folderId, from, until, max) -> found(exchange, folderId, from, until, max),
                    folderId -> folders.folder(exchange, folderId), exchange);
        });
    }

    /** Up to {@code max} messages, page by page: Exchange answers at most 1000 items a call. */
    private static PagedHistorySync.Found found(ExchangeMailbox exchange, String folderId, Instant from,
            Instant until, int max) throws ExchangeException {
        List<PagedFolderSync.Message> messages = new ArrayList<>();
        boolean more = true;
        while (more && messages.size() < max) {
            ExchangeMailbox.ItemPage page = exchange.received(folderId, from, until, messages.size(),
                    Math.min(1000, max - messages.size()));
            page.items().forEach(item -> messages.add(new PagedFolderSync.Message(item.id(), item.receivedAt())));
            more = page.more() && !page.items().isEmpty();
        }
        return new PagedHistorySync.Found(messages, more);
    }
}
