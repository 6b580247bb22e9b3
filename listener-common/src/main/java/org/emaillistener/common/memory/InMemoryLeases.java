package org.emaillistener.common.memory;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.emaillistener.common.lease.Leases;

public class InMemoryLeases implements Leases {

    private record Lease(String holder, Instant expiresAt) {

        boolean heldBy(String candidate, Instant now) {
            return holder.equals(candidate) && expiresAt.isAfter(now);
        }
    }

    private final ConcurrentHashMap<UUID, Lease> leases = new ConcurrentHashMap<>();

    @Override
    public boolean tryAcquire(UUID mailboxId, String holder, Duration ttl) {
        Instant now = Instant.now();
        Lease lease = leases.compute(mailboxId, (id, current) ->
                current == null || !current.expiresAt().isAfter(now) || current.holder().equals(holder)
                        ? new Lease(holder, now.plus(ttl))
                        : current);
        return lease.holder().equals(holder);
    }

    @Override
    public Set<UUID> renew(Collection<UUID> mailboxIds, String holder, Duration ttl) {
        Set<UUID> renewed = new HashSet<>();
        Instant now = Instant.now();
        for (UUID mailboxId : mailboxIds) {
            leases.computeIfPresent(mailboxId, (id, current) -> {
                if (!current.heldBy(holder, now)) {
                    return current;
                }
                renewed.add(id);
                return new Lease(holder, now.plus(ttl));
            });
        }
        return Set.copyOf(renewed);
    }

    @Override
    public void release(Collection<UUID> mailboxIds, String holder) {
        Instant now = Instant.now();
        mailboxIds.forEach(mailboxId -> leases.computeIfPresent(mailboxId,
                (id, current) -> current.heldBy(holder, now) ? null : current));
    }

    @Override
    public Map<UUID, String> holders(Collection<UUID> mailboxIds) {
        Map<UUID, String> holders = new HashMap<>();
        Instant now = Instant.now();
        for (UUID mailboxId : mailboxIds) {
            Lease lease = leases.get(mailboxId);
            if (lease != null && lease.expiresAt().isAfter(now)) {
                holders.put(mailboxId, lease.holder());
            }
        }
        return Map.copyOf(holders);
    }
}
