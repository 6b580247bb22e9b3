package org.emaillistener.common.memory;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.emaillistener.common.registry.OneOffMailboxes;
import org.emaillistener.common.registry.RegisteredMailbox;

/** One process's one-off mailboxes, each dropped when its time is up (looked at on every read). */
public class InMemoryOneOffMailboxes implements OneOffMailboxes {

    private record Held(RegisteredMailbox mailbox, Instant until) {
    }

    private final Map<UUID, Held> held = new ConcurrentHashMap<>();

    @Override
    public void hold(RegisteredMailbox mailbox, Duration ttl) {
        Instant now = Instant.now();
        held.values().removeIf(h -> !h.until().isAfter(now));
        held.put(mailbox.id(), new Held(mailbox, now.plus(ttl)));
    }

    @Override
    public Optional<RegisteredMailbox> find(UUID mailboxId) {
        Held h = held.get(mailboxId);
        if (h == null) {
            return Optional.empty();
        }
        if (!h.until().isAfter(Instant.now())) {
            held.remove(mailboxId, h);
            return Optional.empty();
        }
        return Optional.of(h.mailbox());
    }

    @Override
    public void release(UUID mailboxId) {
        held.remove(mailboxId);
    }
}
