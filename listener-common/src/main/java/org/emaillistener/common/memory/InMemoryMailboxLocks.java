package org.emaillistener.common.memory;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.emaillistener.common.jobs.MailboxLocks;

public class InMemoryMailboxLocks implements MailboxLocks {

    private record Holder(Object token, Instant expiresAt) {
    }

    private final ConcurrentHashMap<UUID, Holder> holders = new ConcurrentHashMap<>();

    @Override
    public Optional<Lock> tryLock(UUID mailboxId, Duration ttl) {
        Object token = new Object();
        Instant now = Instant.now();
        Holder holder = holders.compute(mailboxId, (id, current) ->
                current == null || current.expiresAt().isBefore(now) ? new Holder(token, now.plus(ttl)) : current);
        if (holder.token() != token) {
            return Optional.empty();
        }
        return Optional.of(new Lock() {
            @Override
            public boolean extend(Duration extension) {
                Holder extended = holders.computeIfPresent(mailboxId, (id, current) ->
                        current.token() == token ? new Holder(token, Instant.now().plus(extension)) : current);
                return extended != null && extended.token() == token;
            }

            @Override
            public void close() {
                holders.computeIfPresent(mailboxId, (id, current) -> current.token() == token ? null : current);
            }
        });
    }
}
