package org.emaillistener.common.ownership;

import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.UUID;

/**
 * Mailbox leases: at most one replica holds a mailbox's subscription. A lease not renewed within its
 * TTL expires, so a dead replica's mailboxes are taken over without anybody's help.
 */
public interface Leases {

    /** Takes the lease if nobody holds it; true also when this owner already holds it (renewed). */
    boolean acquire(UUID mailboxId, String owner, Duration ttl);

    /** Renews, in one round trip, the leases this owner still holds; returns those. */
    Set<UUID> renew(Collection<UUID> mailboxIds, String owner, Duration ttl);

    /** Gives up leases this owner holds, so that another replica can take them at once. */
    void release(Collection<UUID> mailboxIds, String owner);

    /** Ends the lease whoever holds it: the mailbox is no longer served. */
    void revoke(UUID mailboxId);

    /** Says this replica is alive for {@code ttl}; returns how many replicas are alive, itself included. */
    int heartbeat(String owner, Duration ttl);

    /** This replica stops: it no longer counts among the live ones, so the others take its share at once. */
    void leave(String owner);
}
