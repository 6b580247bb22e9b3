package org.emaillistener.common.lease;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** The lease of each mailbox's subscription, held by one replica (the holder) until it expires. */
public interface Leases {

    /**
     * Takes the mailbox's lease if nobody holds it; renews it if this holder does.
     *
     * @return whether the holder now holds it
     */
    boolean tryAcquire(UUID mailboxId, String holder, Duration ttl);

    /**
     * Renews, in one batch, the leases the holder still holds.
     *
     * @return the mailboxes whose lease was renewed; the holder lost the others
     */
    Set<UUID> renew(Collection<UUID> mailboxIds, String holder, Duration ttl);

    /** Releases the leases the holder still holds; others' are left alone. */
    void release(Collection<UUID> mailboxIds, String holder);

    /** The holder of each mailbox's lease; a mailbox nobody holds is absent. */
    Map<UUID, String> holders(Collection<UUID> mailboxIds);
}
