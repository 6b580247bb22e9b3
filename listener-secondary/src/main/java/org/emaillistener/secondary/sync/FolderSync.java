package org.emaillistener.secondary.sync;

import java.time.Instant;

import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.common.route.ForProtocol;

/**
 * Delivers the new mail of one folder of the mailboxes of one protocol: the folder-sync role of a
 * route, which {@link MailboxSync} calls with the mailbox locked.
 */
public interface FolderSync extends ForProtocol {

    /**
     * @param folderId the folder (its full name on an IMAP server, its id on Exchange)
     * @param seenAt when the server announced new mail, or null for a catch-up
     * @return whether more changes wait in the folder
     */
    boolean sync(RegisteredMailbox mailbox, String folderId, int limit, Instant seenAt) throws Exception;

    /** Delivers a parked message again, as an operator asked. */
    void redeliver(RegisteredMailbox mailbox, String folderId, long key) throws Exception;
}
