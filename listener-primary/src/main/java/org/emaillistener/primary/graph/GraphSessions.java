package org.emaillistener.primary.graph;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.emaillistener.common.creatio.MailboxFolder;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.exchange.ExchangeMailbox.ExchangeFolder;
import org.emaillistener.common.graph.GraphConnector;
import org.emaillistener.common.graph.GraphException;
import org.emaillistener.common.state.MailboxFailure;
import org.emaillistener.common.route.MailProtocol;
import org.emaillistener.primary.ews.ExchangeFolderTree;
import org.emaillistener.primary.mailbox.MailboxSessions;
import org.springframework.stereotype.Component;

/**
 * Graph calls for the caller of the API, only for the mailbox's own user, as the Microsoft 365 sign-in
 * token Creatio sent proves ({@link GraphConnector#connectAsItsUser}). A mailbox is valid when the app
 * gets a token and can read its Inbox. Graph lists mail folders only, so a mailbox it serves has none
 * of any other class; they are arranged as EWS's are, {@code Id} being the Graph folder id (what the
 * Graph watcher reads the delta of when it comes back in {@code FolderIds}).
 */
@Component
class GraphSessions implements MailboxSessions {

    private final GraphConnector connector;

    GraphSessions(GraphConnector connector) {
        this.connector = connector;
    }

    @Override
    public MailProtocol protocol() {
        return MailProtocol.GRAPH;
    }

    @Override
    public void logIn(SynchronizationCredentials mailbox, Duration timeout) throws GraphException {
        connector.connectAsItsUser(mailbox).wellKnownFolderId("inbox");
    }

    @Override
    public boolean listsFoldersOf(String folderClass) {
        return MailboxSessions.isMail(folderClass);
    }

    @Override
    public List<MailboxFolder> folders(SynchronizationCredentials mailbox, String folderClass, Duration timeout)
            throws GraphException {
        return ExchangeFolderTree.of(connector.connectAsItsUser(mailbox).folders().stream()
                .map(folder -> new ExchangeFolder(folder.id(), folder.name(), folder.parentId(), "IPF.Note")).toList());
    }

    @Override
    public Optional<MailboxFailure> failureOf(Throwable failure) {
        return failure instanceof GraphException graph ? Optional.of(GraphFailures.of(graph)) : Optional.empty();
    }
}
