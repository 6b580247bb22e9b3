package org.emaillistener.primary.mailbox;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.emaillistener.common.creatio.MailboxFolder;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.state.MailboxFailure;
import org.emaillistener.common.route.MailRoutes;
import org.emaillistener.common.route.PerProtocol;
import org.emaillistener.common.state.FailureKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Short sessions that answer Creatio while it waits (it gives every call five minutes), each of the
 * mailbox's route ({@link MailboxSessions}). Each runs on a virtual thread of its own and is
 * abandoned at the deadline: socket timeouts alone do not bound a session, since a server that
 * accepts the connection but never greets, or answers slowly line by line, can hold it far longer
 * than any single timeout.
 */
@Component
public class MailboxProbe {

    private static final Logger log = LoggerFactory.getLogger(MailboxProbe.class);

    private final MailRoutes routes;
    private final PerProtocol<MailboxSessions> sessions;

    public MailboxProbe(MailRoutes routes, List<MailboxSessions> sessions) {
        this.routes = routes;
        this.sessions = PerProtocol.from("Probing", sessions);
    }

    /** Connects, logs in and out again, as the mailbox's route does. */
    public void logIn(SynchronizationCredentials mailbox, Duration deadline) throws MailboxUnavailableException {
        MailboxSessions protocol = sessions.of(routes.of(mailbox));
        within(mailbox, deadline, protocol, () -> {
            protocol.logIn(mailbox, socketTimeout(deadline));
            return null;
        });
    }

    /**
     * The mailbox's folders of the class asked for, for Creatio's folder picker; none, without asking
     * the server, when the route's mailboxes have no folders of that class.
     */
    public List<MailboxFolder> folders(SynchronizationCredentials mailbox, String folderClass, Duration deadline)
            throws MailboxUnavailableException {
        MailboxSessions protocol = sessions.of(routes.of(mailbox));
        if (!protocol.listsFoldersOf(folderClass)) {
            return List.of();
        }
        return within(mailbox, deadline, protocol,
                () -> protocol.folders(mailbox, folderClass, socketTimeout(deadline)));
    }

    /**
     * The socket may wait a little longer than the deadline, so that the deadline, not a socket
     * timeout racing it, decides when and how a silent server is answered.
     */
    private static Duration socketTimeout(Duration deadline) {
        return deadline.plusSeconds(1);
    }

    private <T> T within(SynchronizationCredentials mailbox, Duration deadline, MailboxSessions protocol,
            Callable<T> work) throws MailboxUnavailableException {
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
            Optional<MailboxFailure> failure = protocol.failureOf(e.getCause());
            if (failure.isEmpty()) {
                throw new IllegalStateException("Mailbox " + mailbox.Id() + ": probe failed unexpectedly", e.getCause());
            }
            // A server may echo the password it refused: not into the log nor the answer.
            log.debug("Mailbox {}: {} probe failed", mailbox.Id(), protocol.protocol(),
                    MailboxFailure.withoutSecret(e.getCause(), mailbox.secret()));
            throw new MailboxUnavailableException(failure.get().withoutSecret(mailbox.secret()));
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
}
