package org.emaillistener.common.memory;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.emaillistener.common.cursor.Cursors;
import org.emaillistener.common.cursor.SyncCursor;

public class InMemoryCursors implements Cursors {

    private record Key(UUID mailboxId, String folder) {
    }

    private final ConcurrentHashMap<Key, SyncCursor> cursors = new ConcurrentHashMap<>();

    @Override
    public Optional<SyncCursor> find(UUID mailboxId, String folder) {
        return Optional.ofNullable(cursors.get(new Key(mailboxId, folder)));
    }

    @Override
    public void save(UUID mailboxId, String folder, SyncCursor cursor) {
        cursors.put(new Key(mailboxId, folder), cursor);
    }

    @Override
    public SyncCursor saveIfAbsent(UUID mailboxId, String folder, SyncCursor cursor) {
        SyncCursor existing = cursors.putIfAbsent(new Key(mailboxId, folder), cursor);
        return existing != null ? existing : cursor;
    }

    @Override
    public void removeAll(UUID mailboxId) {
        cursors.keySet().removeIf(key -> key.mailboxId().equals(mailboxId));
    }

    @Override
    public Map<String, SyncCursor> of(UUID mailboxId) {
        Map<String, SyncCursor> found = new TreeMap<>();
        cursors.forEach((key, cursor) -> {
            if (key.mailboxId().equals(mailboxId)) {
                found.put(key.folder(), cursor);
            }
        });
        return found;
    }
}
