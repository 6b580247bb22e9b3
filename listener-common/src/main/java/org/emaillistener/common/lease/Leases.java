package org.emaillistener.common.lease;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The lease of each mailbox's subscription, held by one primary replica (the holder) until it
 * expires, so that a dead replica's mailboxes are taken over without anybody's help; and a
 * heartbeat per replica, so that the replicas can share the mailboxes fairly.
 */
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

    /** Ends the mailbox's lease whoever holds it: the mailbox is no longer served. */
    void revoke(UUID mailboxId);

    /** The holder of each mailbox's lease; a mailbox nobody holds is absent. */
    Map<UUID, String> holders(Collection<UUID> mailboxIds);

    /** Says this replica is alive for {@code ttl}; returns how many replicas are alive, itself included. */
    int heartbeat(String holder, Duration ttl);

    /** This replica stops: it no longer counts among the live ones, so the others take its share at once. */
    void leave(String holder);

    /** The replicas whose heartbeat has not expired. */
    Set<String> replicas();
}
