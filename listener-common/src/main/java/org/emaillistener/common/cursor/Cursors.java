package org.emaillistener.common.cursor;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The sync cursor of each (mailbox, folder). */
public interface Cursors {

    Optional<SyncCursor> find(UUID mailboxId, String folder);

    void save(UUID mailboxId, String folder, SyncCursor cursor);

    /** Saves the cursor only if the folder has none yet; returns the cursor now in force. */
    SyncCursor saveIfAbsent(UUID mailboxId, String folder, SyncCursor cursor);

    void removeAll(UUID mailboxId);

    /** Every cursor of the mailbox, by folder. */
    Map<String, SyncCursor> of(UUID mailboxId);
}
