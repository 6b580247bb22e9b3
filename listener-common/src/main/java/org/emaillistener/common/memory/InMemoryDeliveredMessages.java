package org.emaillistener.common.memory;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.SequencedSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.emaillistener.common.changes.MailboxChange;
import org.emaillistener.common.cursor.DeliveredMessages;

public class InMemoryDeliveredMessages implements DeliveredMessages {

    private final int window;
    private final ConcurrentHashMap<UUID, SequencedSet<String>> delivered = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<UUID, Instant> lastDelivered = new ConcurrentHashMap<>();
    private final InMemoryMailboxChanges changes;

    public InMemoryDeliveredMessages(int window) {
        this(window, new InMemoryMailboxChanges());
    }

    /** A store that records each delivery in {@code changes}, the log its readers share. */
    public InMemoryDeliveredMessages(int window, InMemoryMailboxChanges changes) {
        this.window = window;
        this.changes = changes;
    }

    @Override
    public void record(UUID mailboxId, String messageId) {
        SequencedSet<String> ids = delivered.computeIfAbsent(mailboxId, id -> new LinkedHashSet<>());
        synchronized (ids) {
            ids.remove(messageId);
            ids.add(messageId);
            while (ids.size() > window) {
                ids.removeFirst();
            }
        }
        lastDelivered.put(mailboxId, Instant.now());
        changes.announce(mailboxId, MailboxChange.Kind.DELIVERED);
    }

    @Override
    public boolean contains(UUID mailboxId, String messageId) {
        SequencedSet<String> ids = delivered.get(mailboxId);
        if (ids == null) {
            return false;
        }
        synchronized (ids) {
            return ids.contains(messageId);
        }
    }

    @Override
    public void removeAll(UUID mailboxId) {
        delivered.remove(mailboxId);
        lastDelivered.remove(mailboxId);
    }

    @Override
    public Map<UUID, Instant> lastDeliveredAt(Collection<UUID> mailboxIds) {
        Map<UUID, Instant> last = new HashMap<>();
        mailboxIds.forEach(id -> {
            Instant at = lastDelivered.get(id);
            if (at != null) {
                last.put(id, at);
            }
        });
        return last;
    }
}
