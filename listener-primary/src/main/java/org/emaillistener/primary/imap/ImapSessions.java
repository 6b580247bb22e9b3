package org.emaillistener.primary.imap;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.eclipse.angus.mail.imap.IMAPStore;
import org.emaillistener.common.creatio.MailboxFolder;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.imap.ImapConnector;
import org.emaillistener.common.state.MailboxFailure;
import org.emaillistener.common.route.MailProtocol;
import org.emaillistener.primary.mailbox.MailboxSessions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import jakarta.mail.MessagingException;

/**
 * One IMAP session per question: log in and out, or one {@code LIST} arranged by {@link FolderTree}.
 * An IMAP server holds only mail, so a calendar or task folder class has no IMAP folders.
 */
@Component
class ImapSessions implements MailboxSessions {

    private static final Logger log = LoggerFactory.getLogger(ImapSessions.class);

    private final ImapConnector connector;

    ImapSessions(ImapConnector connector) {
        this.connector = connector;
    }

    @Override
    public MailProtocol protocol() {
        return MailProtocol.IMAP;
    }

    @Override
    public void logIn(SynchronizationCredentials mailbox, Duration timeout) throws MessagingException {
        closeQuietly(connector.connect(mailbox, timeout), mailbox);
    }

    @Override
    public boolean listsFoldersOf(String folderClass) {
        return MailboxSessions.isMail(folderClass);
    }

    @Override
    public List<MailboxFolder> folders(SynchronizationCredentials mailbox, String folderClass, Duration timeout)
            throws MessagingException {
        IMAPStore store = connector.connect(mailbox, timeout);
        try {
            return FolderTree.of(store);
        } finally {
            closeQuietly(store, mailbox);
        }
    }

    @Override
    public Optional<MailboxFailure> failureOf(Throwable failure) {
        return failure instanceof MessagingException ? Optional.of(MailboxFailure.of(failure)) : Optional.empty();
    }

    private static void closeQuietly(IMAPStore store, SynchronizationCredentials mailbox) {
        try {
            store.close();
        } catch (MessagingException | RuntimeException e) {
            log.debug("Mailbox {}: closing the probe's connection failed", mailbox.Id(), e);
        }
    }
}
