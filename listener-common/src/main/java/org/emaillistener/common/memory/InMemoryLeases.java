package org.emaillistener.common.memory;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.emaillistener.common.changes.MailboxChange;
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

    private final InMemoryMailboxChanges changes;

    public InMemoryLeases() {
        this(new InMemoryMailboxChanges());
    }

    /** A store that records its changes in {@code changes}, the log its readers share. */
    public InMemoryLeases(InMemoryMailboxChanges changes) {
        this.changes = changes;
    }

    @Override
    public boolean tryAcquire(UUID mailboxId, String holder, Duration ttl) {
        long now = System.nanoTime();
        Lease fresh = new Lease(holder, now + ttl.toNanos());
        boolean[] taken = new boolean[1];
        boolean acquired = leases.compute(mailboxId, (id, current) -> {
            if (current != null && !current.expired(now) && current.holder().equals(holder)) {
                return fresh;
            }
            if (current == null || current.expired(now)) {
                taken[0] = true;
                return fresh;
            }
            return current;
        }) == fresh;
        if (taken[0]) {
            changes.announce(mailboxId, MailboxChange.Kind.LEASE);
        }
        return acquired;
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
        for (UUID id : mailboxIds) {
            Lease lease = leases.get(id);
            if (lease != null && lease.holder().equals(holder) && leases.remove(id, lease)) {
                changes.announce(id, MailboxChange.Kind.LEASE);
            }
        }
    }

    @Override
    public void revoke(UUID mailboxId) {
        if (leases.remove(mailboxId) != null) {
            changes.announce(mailboxId, MailboxChange.Kind.LEASE);
        }
    }

    @Override
    public Set<String> replicas() {
        long now = System.nanoTime();
        Set<String> live = new HashSet<>();
        replicas.forEach((holder, expiresAt) -> {
            if (expiresAt - now > 0) {
                live.add(holder);
            }
        });
        return Set.copyOf(live);
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
