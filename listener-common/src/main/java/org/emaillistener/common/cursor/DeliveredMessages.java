package org.emaillistener.common.cursor;

import java.util.UUID;

/**
 * The Message-IDs most recently delivered from each mailbox, a bounded window: what lets a folder
 * whose UIDs were renumbered (UIDVALIDITY changed) be resynchronised without sending Creatio mail it
 * already has.
 */
public interface DeliveredMessages {

    void record(UUID mailboxId, String messageId);

    boolean contains(UUID mailboxId, String messageId);

    void removeAll(UUID mailboxId);
}
