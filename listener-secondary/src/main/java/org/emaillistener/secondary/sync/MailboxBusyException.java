package org.emaillistener.secondary.sync;

import java.util.UUID;

/** Another syncer holds the mailbox; the job comes back later. */
class MailboxBusyException extends Exception {

    MailboxBusyException(UUID mailboxId) {
        super("mailbox " + mailboxId + " is being synced by another syncer");
    }
}
