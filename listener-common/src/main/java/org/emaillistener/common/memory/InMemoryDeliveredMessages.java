package org.emaillistener.common.memory;

import java.util.LinkedHashSet;
import java.util.SequencedSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.emaillistener.common.cursor.DeliveredMessages;

public class InMemoryDeliveredMessages implements DeliveredMessages {

    private final int window;
    private final ConcurrentHashMap<UUID, SequencedSet<String>> delivered = new ConcurrentHashMap<>();

    public InMemoryDeliveredMessages(int window) {
        this.window = window;
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
    }
}
