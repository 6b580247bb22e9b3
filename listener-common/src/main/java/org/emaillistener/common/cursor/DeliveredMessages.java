package org.emaillistener.common.cursor;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;
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

    /** When each of these mailboxes last delivered a message; a mailbox that delivered none is absent. */
    Map<UUID, Instant> lastDeliveredAt(Collection<UUID> mailboxIds);
}
