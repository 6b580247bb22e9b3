package org.emaillistener.common.memory;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.emaillistener.common.lease.Leases;

/** Leases within one JVM: the standalone service is its own only replica. */
public class InMemoryLeases implements Leases {

    private record Lease(String holder, long expiresAtNanos) {

        boolean heldBy(String candidate, long now) {
            return holder.equals(candidate) && !expired(now);
        }

        boolean expired(long now) {
            return expiresAtNanos - now <= 0;
        }
    }

    private final ConcurrentHashMap<UUID, Lease> leases = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> replicas = new ConcurrentHashMap<>();

    @Override
    public boolean tryAcquire(UUID mailboxId, String holder, Duration ttl) {
        long now = System.nanoTime();
        Lease fresh = new Lease(holder, now + ttl.toNanos());
        return leases.compute(mailboxId, (id, current) ->
                current == null || current.expired(now) || current.holder().equals(holder) ? fresh : current) == fresh;
    }

    @Override
    public Set<UUID> renew(Collection<UUID> mailboxIds, String holder, Duration ttl) {
        Set<UUID> renewed = new HashSet<>();
        long now = System.nanoTime();
        for (UUID id : mailboxIds) {
            Lease lease = leases.computeIfPresent(id, (key, current) ->
                    current.heldBy(holder, now) ? new Lease(holder, now + ttl.toNanos()) : current);
            if (lease != null && lease.heldBy(holder, now)) {
                renewed.add(id);
            }
        }
        return Set.copyOf(renewed);
    }

    @Override
    public void release(Collection<UUID> mailboxIds, String holder) {
        mailboxIds.forEach(id -> leases.computeIfPresent(id, (key, current) ->
                current.holder().equals(holder) ? null : current));
    }

    @Override
    public void revoke(UUID mailboxId) {
        leases.remove(mailboxId);
    }

    @Override
    public Map<UUID, String> holders(Collection<UUID> mailboxIds) {
        long now = System.nanoTime();
        Map<UUID, String> holders = new HashMap<>();
        for (UUID id : mailboxIds) {
            Lease lease = leases.get(id);
            if (lease != null && !lease.expired(now)) {
                holders.put(id, lease.holder());
            }
        }
        return Map.copyOf(holders);
    }

    @Override
    public int heartbeat(String holder, Duration ttl) {
        long now = System.nanoTime();
        replicas.put(holder, now + ttl.toNanos());
        replicas.values().removeIf(expiresAt -> expiresAt - now <= 0);
        return replicas.size();
    }

    @Override
    public void leave(String holder) {
        replicas.remove(holder);
    }
}
