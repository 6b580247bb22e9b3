package org.emaillistener.common.cursor;

import java.time.Instant;

/**
 * The position of delivery in one IMAP folder.
 *
 * @param uidValidity the folder's UIDVALIDITY when the UIDs were read
 * @param lastUid the highest UID delivered (or skipped as history)
 * @param lastDeliveredAt the INTERNALDATE of that message, used to resynchronise a folder whose
 *        UIDVALIDITY changed without sending all of it again; null when nothing was delivered yet
 */
public record SyncCursor(long uidValidity, long lastUid, Instant lastDeliveredAt) {

    public SyncCursor advancedTo(long uid, Instant receivedAt) {
        return new SyncCursor(uidValidity, uid, receivedAt != null ? receivedAt : lastDeliveredAt);
    }
}
