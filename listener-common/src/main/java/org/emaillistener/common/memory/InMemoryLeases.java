package org.emaillistener.common.memory;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.emaillistener.common.ownership.Leases;

/** Leases within one JVM: the standalone service is its own only replica. */
public class InMemoryLeases implements Leases {

    private record Lease(String owner, long expiresAtNanos) {

        boolean heldBy(String candidate, long now) {
            return owner.equals(candidate) && expiresAtNanos - now > 0;
        }

        boolean expired(long now) {
            return expiresAtNanos - now <= 0;
        }
    }

    private final ConcurrentHashMap<UUID, Lease> leases = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> replicas = new ConcurrentHashMap<>();

    @Override
    public boolean acquire(UUID mailboxId, String owner, Duration ttl) {
        long now = System.nanoTime();
        Lease fresh = new Lease(owner, now + ttl.toNanos());
        return leases.compute(mailboxId, (id, current) ->
                current == null || current.expired(now) || current.owner().equals(owner) ? fresh : current) == fresh;
    }

    @Override
    public Set<UUID> renew(Collection<UUID> mailboxIds, String owner, Duration ttl) {
        Set<UUID> renewed = new HashSet<>();
        long now = System.nanoTime();
        for (UUID id : mailboxIds) {
            Lease lease = leases.computeIfPresent(id, (key, current) ->
                    current.heldBy(owner, now) ? new Lease(owner, now + ttl.toNanos()) : current);
            if (lease != null && lease.heldBy(owner, now)) {
                renewed.add(id);
            }
        }
        return renewed;
    }

    @Override
    public void release(Collection<UUID> mailboxIds, String owner) {
        mailboxIds.forEach(id -> leases.computeIfPresent(id, (key, current) ->
                current.owner().equals(owner) ? null : current));
    }

    @Override
    public void revoke(UUID mailboxId) {
        leases.remove(mailboxId);
    }

    @Override
    public int heartbeat(String owner, Duration ttl) {
        long now = System.nanoTime();
        replicas.put(owner, now + ttl.toNanos());
        replicas.values().removeIf(expiresAt -> expiresAt - now <= 0);
        return replicas.size();
    }

    @Override
    public void leave(String owner) {
        replicas.remove(owner);
    }
}
