package org.emaillistener.secondary.sync;

import java.time.Instant;

import org.emaillistener.common.registry.RegisteredMailbox;

/** What {@link MailboxSync} asks of a server's folders: IMAP's ({@link FolderSync}), Exchange's, Graph's. */
interface ServerFolders {

    /**
     * @param folderId the folder (its full name on an IMAP server)
     * @param seenAt when the server announced new mail, or null for a catch-up
     * @return whether more changes wait in the folder
     */
    boolean sync(RegisteredMailbox mailbox, String folderId, int limit, Instant seenAt) throws Exception;

    /** Delivers a parked message again, as an operator asked. */
    void redeliver(RegisteredMailbox mailbox, String folderId, long key) throws Exception;
}
