package org.emaillistener.primary.ews;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.emaillistener.common.creatio.MailboxFolder;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.exchange.ExchangeConnector;
import org.emaillistener.common.exchange.ExchangeException;
import org.emaillistener.common.exchange.ExchangeMailbox;
import org.emaillistener.common.state.MailboxFailure;
import org.emaillistener.common.route.MailProtocol;
import org.emaillistener.primary.mailbox.MailboxSessions;
import org.springframework.stereotype.Component;

import jakarta.mail.MessagingException;

/**
 * One EWS session per question: reading the Inbox proves the login; the folders are those of the
 * class Creatio asks for ({@code IPF.Note} when none), as {@link ExchangeFolderTree} arranges them.
 */
@Component
class ExchangeSessions implements MailboxSessions {

    private final ExchangeConnector connector;

    ExchangeSessions(ExchangeConnector connector) {
        this.connector = connector;
    }

    @Override
    public MailProtocol protocol() {
        return MailProtocol.EWS;
    }

    @Override
    public void logIn(SynchronizationCredentials mailbox, Duration timeout) throws ExchangeException {
        try (ExchangeMailbox exchange = connector.connect(mailbox, timeout)) {
            exchange.verify();
        }
    }

    @Override
    public boolean listsFoldersOf(String folderClass) {
        return true;
    }

    @Override
    public List<MailboxFolder> folders(SynchronizationCredentials mailbox, String folderClass, Duration timeout)
            throws ExchangeException {
        try (ExchangeMailbox exchange = connector.connect(mailbox, timeout)) {
            return ExchangeFolderTree.of(
                    exchange.folders(folderClass == null || folderClass.isBlank() ? "IPF.Note" : folderClass));
        }
    }

    @Override
    public Optional<MailboxFailure> failureOf(Throwable failure) {
        return failure instanceof ExchangeException || failure instanceof MessagingException
                ? Optional.of(MailboxFailure.of(failure)) : Optional.empty();
    }
}
