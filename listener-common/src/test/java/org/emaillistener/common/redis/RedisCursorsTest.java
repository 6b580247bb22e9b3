package org.emaillistener.common.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;

import org.emaillistener.common.cursor.Cursors;
import org.emaillistener.common.cursor.CursorsContract;
import org.emaillistener.common.cursor.SyncCursor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RedisCursorsTest extends CursorsContract {

    private final RedisTestStore store = new RedisTestStore();
    private final RedisCursors cursors = new RedisCursors(store.redis, store.keys);

    @AfterEach
    void removeTheTestsKeys() {
        store.close();
    }

    @Override
    protected Cursors cursors() {
        return cursors;
    }

    @Test
    void removeAllDeletesTheMailboxsCursorKeysAndItsSetOfFolders() {
        List<String> folders = List.of("INBOX", "Sent Items", "Archive:2024", "Входящие", "a*b?[c]");
        folders.forEach(folder -> cursors.save(mailbox, folder, new SyncCursor(1, 1, null)));
        cursors.saveIfAbsent(mailbox, "Junk", new SyncCursor(1, 1, null));
        UUID other = UUID.randomUUID();
        cursors.save(other, "INBOX", new SyncCursor(2, 2, null));

        cursors.removeAll(mailbox);

        assertThat(store.keysInUse()).containsExactlyInAnyOrder(store.keys.cursor(other, "INBOX"),
                store.keys.cursorFolders(other));
    }
}
