package org.emaillistener.primary.mailbox;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.eclipse.angus.mail.imap.IMAPStore;
import org.emaillistener.common.creatio.MailboxFolder;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.exchange.ExchangeConnector;
import org.emaillistener.common.exchange.ExchangeException;
import org.emaillistener.common.exchange.ExchangeMailbox;
import org.emaillistener.common.graph.GraphConnector;
import org.emaillistener.common.graph.GraphException;
import org.emaillistener.common.graph.GraphMailbox;
import org.emaillistener.common.imap.ImapConnector;
import org.emaillistener.common.imap.MailboxFailure;
import org.emaillistener.common.state.FailureKind;
import org.emaillistener.primary.graph.GraphFailures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import jakarta.mail.MessagingException;

/**
 * Short IMAP, EWS and Graph sessions that answer Creatio while it waits (it gives every call five minutes). Each
 * runs on a virtual thread of its own and is abandoned at the deadline: socket timeouts alone do
 * not bound a session, since a server that accepts the connection but never greets, or answers
 * slowly line by line, can hold it far longer than any single timeout.
 */
@Component
public class MailboxProbe {

    private static final Logger log = LoggerFactory.getLogger(MailboxProbe.class);

    private final ImapConnector connector;
    private final ExchangeConnector exchangeConnector;
    private final GraphConnector graphConnector;

    public MailboxProbe(ImapConnector connector, ExchangeConnector exchangeConnector, GraphConnector graphConnector) {
        this.connector = connector;
        this.exchangeConnector = exchangeConnector;
        this.graphConnector = graphConnector;
    }

    /**
     * Connects, logs in and out again. A mailbox Microsoft Graph serves (the same decision as for
     * receiving) is valid when the caller's sign-in token proves they are its user, the app gets a
     * token and can read the mailbox's Inbox.
     */
    public void logIn(SynchronizationCredentials mailbox, Duration deadline) throws MailboxUnavailableException {
        if (graphConnector.serves(mailbox)) {
            withinGraph(mailbox, deadline, graph -> graph.wellKnownFolderId("inbox"));
            return;
        }
        switch (mailbox.serverType()) {
            case IMAP -> withinImap(mailbox, deadline, store -> null);
            case EXCHANGE -> withinExchange(mailbox, deadline, exchange -> {
                exchange.verify();
                return null;
            });
        }
    }

    /**
     * The mailbox's folders for Creatio's folder picker: for IMAP every folder, as {@link FolderTree}
     * arranges them; for Exchange those of the class asked for ({@code IPF.Note} when none). Graph
     * lists mail folders only, so a mailbox it serves has none of any other class.
     */
    public List<MailboxFolder> folders(SynchronizationCredentials mailbox, String folderClass, Duration deadline)
            throws MailboxUnavailableException {
        if (graphConnector.serves(mailbox)) {
            boolean mail = folderClass == null || folderClass.isBlank() || folderClass.equalsIgnoreCase("IPF.Note");
            return mail ? withinGraph(mailbox, deadline, graph -> ExchangeFolderTree.ofGraph(graph.folders()))
                    : List.of();
        }
        return switch (mailbox.serverType()) {
            case IMAP -> withinImap(mailbox, deadline, FolderTree::of);
            case EXCHANGE -> withinExchange(mailbox, deadline, exchange -> ExchangeFolderTree.of(
                    exchange.folders(folderClass == null || folderClass.isBlank() ? "IPF.Note" : folderClass)));
        };
    }

    private <T> T withinImap(SynchronizationCredentials mailbox, Duration deadline, WhileLoggedIn<IMAPStore, T> work)
            throws MailboxUnavailableException {
        return within(mailbox, deadline, () -> {
            // The socket may wait a little longer than the deadline, so that the deadline, not a
            // socket timeout racing it, decides when and how a silent server is answered.
            IMAPStore store = connector.connect(mailbox, deadline.plusSeconds(1));
            try {
                return work.on(store);
            } finally {
                closeQuietly(store, mailbox);
            }
        });
    }

    private <T> T withinExchange(SynchronizationCredentials mailbox, Duration deadline,
            WhileLoggedIn<ExchangeMailbox, T> work) throws MailboxUnavailableException {
        return within(mailbox, deadline, () -> {
            try (ExchangeMailbox exchange = exchangeConnector.connect(mailbox, deadline.plusSeconds(1))) {
                return work.on(exchange);
            }
        });
    }

    private <T> T withinGraph(SynchronizationCredentials mailbox, Duration deadline,
            WhileLoggedIn<GraphMailbox, T> work) throws MailboxUnavailableException {
        return within(mailbox, deadline, () -> work.on(graphConnector.connectAsItsUser(mailbox)));
    }

    private <T> T within(SynchronizationCredentials mailbox, Duration deadline, Callable<T> work)
            throws MailboxUnavailableException {
        FutureTask<T> session = new FutureTask<>(work);
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
            // A server may echo the password it refused: not into the log nor the answer.
            Throwable scrubbed = MailboxFailure.withoutSecret(e.getCause(), mailbox.secret());
            if (e.getCause() instanceof GraphException graph) {
                log.debug("Mailbox {}: Graph probe failed", mailbox.Id(), scrubbed);
                throw new MailboxUnavailableException(GraphFailures.of(graph).withoutSecret(mailbox.secret()));
            }
            if (e.getCause() instanceof MessagingException || e.getCause() instanceof ExchangeException) {
                log.debug("Mailbox {}: probe failed", mailbox.Id(), scrubbed);
                throw new MailboxUnavailableException(MailboxFailure.of(e.getCause()).withoutSecret(mailbox.secret()));
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
    private interface WhileLoggedIn<S, T> {

        T on(S session) throws Exception;
    }
}
