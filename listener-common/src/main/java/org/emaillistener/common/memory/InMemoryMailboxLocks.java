package org.emaillistener.common.memory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.emaillistener.common.jobs.MailboxLocks;

/**
 * Locks and dirty folders in this JVM. Every operation holds the monitor for a few map operations,
 * which makes marking and releasing atomic with respect to each other, as the port requires.
 */
public class InMemoryMailboxLocks implements MailboxLocks {

    private record Holder(Object token, long expiresAtNanos) {

        boolean expired(long now) {
            return now - expiresAtNanos >= 0;
        }
    }

    /** Guarded by {@code this}. */
    private final Map<UUID, Holder> holders = new HashMap<>();
    /** Guarded by {@code this}. */
    private final Map<UUID, Map<String, Dirty>> dirty = new HashMap<>();

    @Override
    public synchronized Optional<Lock> tryLock(UUID mailboxId, Duration ttl) {
        long now = System.nanoTime();
        Holder current = holders.get(mailboxId);
        if (current != null && !current.expired(now)) {
            return Optional.empty();
        }
        Object token = new Object();
        holders.put(mailboxId, new Holder(token, now + ttl.toNanos()));
        return Optional.of(new HeldLock(mailboxId, token));
    }

    @Override
    public synchronized void markDirty(UUID mailboxId, String folder, Dirty mark) {
        dirty.computeIfAbsent(mailboxId, id -> new HashMap<>()).merge(folder, mark, Dirty::merge);
    }

    private synchronized boolean holds(UUID mailboxId, Object token) {
        Holder current = holders.get(mailboxId);
        return current != null && current.token() == token;
    }

    private final class HeldLock implements Lock {

        private final UUID mailboxId;
        private final Object token;

        private HeldLock(UUID mailboxId, Object token) {
            this.mailboxId = mailboxId;
            this.token = token;
        }

        @Override
        public boolean extend(Duration extension) {
            synchronized (InMemoryMailboxLocks.this) {
                if (!holds(mailboxId, token)) {
                    return false;
                }
                holders.put(mailboxId, new Holder(token, System.nanoTime() + extension.toNanos()));
                return true;
            }
        }

        @Override
        public Map<String, Dirty> takeDirty() {
            synchronized (InMemoryMailboxLocks.this) {
                Map<String, Dirty> taken = dirty.remove(mailboxId);
                return taken == null ? Map.of() : Map.copyOf(taken);
            }
        }

        @Override
        public boolean releaseIfClean() {
            synchronized (InMemoryMailboxLocks.this) {
                if (dirty.containsKey(mailboxId) && holds(mailboxId, token)) {
                    return false;
                }
                close();
                return true;
            }
        }

        @Override
        public void close() {
            synchronized (InMemoryMailboxLocks.this) {
                if (holds(mailboxId, token)) {
                    holders.remove(mailboxId);
                }
            }
        }
    }
}
