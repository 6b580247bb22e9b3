package org.emaillistener.primary.mailbox;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.emaillistener.common.creatio.MailboxFolder;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.state.MailboxFailure;
import org.emaillistener.common.route.ForProtocol;

/**
 * The short sessions one protocol opens while Creatio waits: the probing role of a route.
 * {@link MailboxProbe} runs each on a thread of its own and bounds it by the deadline.
 */
public interface MailboxSessions extends ForProtocol {

    /**
     * Connects, logs in and out again.
     *
     * @param timeout how long one socket operation may wait
     */
    void logIn(SynchronizationCredentials mailbox, Duration timeout) throws Exception;

    /**
     * Whether the protocol lists folders of Creatio's folder class ({@code FolderClassName}): a
     * mailbox that holds only mail has none of another class, so nothing is asked of its server.
     */
    boolean listsFoldersOf(String folderClass);

    /** The mailbox's folders of the class, as Creatio's folder picker shows them. */
    List<MailboxFolder> folders(SynchronizationCredentials mailbox, String folderClass, Duration timeout)
            throws Exception;

    /** What kind of failure a session's exception is; empty for one the protocol does not expect (a bug). */
    Optional<MailboxFailure> failureOf(Throwable failure);

    /** Creatio's folder class of mail: {@code IPF.Note}, or none. */
    static boolean isMail(String folderClass) {
        return folderClass == null || folderClass.isBlank() || folderClass.equalsIgnoreCase("IPF.Note");
    }
}
