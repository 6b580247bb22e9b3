package org.emaillistener.primary.mailbox;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.eclipse.angus.mail.imap.IMAPStore;
import org.emaillistener.common.creatio.MailboxFolder;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.imap.ImapConnector;
import org.emaillistener.common.imap.MailboxFailure;
import org.emaillistener.common.state.FailureKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import jakarta.mail.MessagingException;

/**
 * Short IMAP sessions that answer Creatio while it waits (it gives every call five minutes). Each
 * runs on a virtual thread of its own and is abandoned at the deadline: socket timeouts alone do
 * not bound a session, since a server that accepts the connection but never greets, or answers
 * slowly line by line, can hold it far longer than any single timeout.
 */
@Component
public class MailboxProbe {

    private static final Logger log = LoggerFactory.getLogger(MailboxProbe.class);

    private final ImapConnector connector;

    public MailboxProbe(ImapConnector connector) {
        this.connector = connector;
    }

    /** Connects, logs in and out again. */
    public void logIn(SynchronizationCredentials mailbox, Duration deadline) throws MailboxUnavailableException {
        within(mailbox, deadline, store -> null);
    }

    /** Every folder of the mailbox, as {@link FolderTree} arranges them for Creatio. */
    public List<MailboxFolder> folders(SynchronizationCredentials mailbox, Duration deadline)
            throws MailboxUnavailableException {
        return within(mailbox, deadline, FolderTree::of);
    }

    private <T> T within(SynchronizationCredentials mailbox, Duration deadline, WhileLoggedIn<T> work)
            throws MailboxUnavailableException {
        FutureTask<T> session = new FutureTask<>(() -> {
            // The socket may wait a little longer than the deadline, so that the deadline, not a
            // socket timeout racing it, decides when and how a silent server is answered.
            IMAPStore store = connector.connect(mailbox, deadline.plusSeconds(1));
            try {
                return work.on(store);
            } finally {
                closeQuietly(store, mailbox);
            }
        });
        Thread.ofVirtual().name("mailbox-probe-" + mailbox.Id()).start(session);
        try {
            return session.get(deadline.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            // Interrupting a virtual thread blocked in socket I/O closes the socket: the abandoned
            // session ends now instead of holding a connection to a server that does not answer.
            session.cancel(true);
            throw new MailboxUnavailableException(new MailboxFailure(FailureKind.TIMEOUT,
                    "The mail server did not answer within " + describe(deadline) + "."));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof MessagingException failure) {
                log.debug("Mailbox {}: probe failed", mailbox.Id(), failure);
                throw new MailboxUnavailableException(MailboxFailure.of(failure));
            }
            throw new IllegalStateException("Mailbox " + mailbox.Id() + ": probe failed unexpectedly", e.getCause());
        } catch (InterruptedException e) {
            session.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Mailbox " + mailbox.Id() + ": probe interrupted", e);
        }
    }

    private static String describe(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 1000 != 0) {
            return millis + " ms";
        }
        long seconds = millis / 1000;
        return seconds == 1 ? "1 second" : seconds + " seconds";
    }

    private static void closeQuietly(IMAPStore store, SynchronizationCredentials mailbox) {
        try {
            store.close();
        } catch (MessagingException | RuntimeException e) {
            log.debug("Mailbox {}: closing the probe's connection failed", mailbox.Id(), e);
        }
    }

    /** What is done while logged in. */
    @FunctionalInterface
    private interface WhileLoggedIn<T> {

        T on(IMAPStore store) throws MessagingException;
    }
}
