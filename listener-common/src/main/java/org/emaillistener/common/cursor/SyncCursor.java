package org.emaillistener.common.cursor;

import java.time.Instant;

/**
 * The position of delivery in one IMAP folder.
 *
 * @param uidValidity the folder's UIDVALIDITY when the UIDs were read
 * @param lastUid the highest UID delivered (or skipped as history, or parked)
 * @param lastDeliveredAt the INTERNALDATE of that message, used to resynchronise a folder whose
 *        UIDVALIDITY changed without sending all of it again; null when nothing was delivered yet
 * @param rejectedUid the message after the cursor that Creatio refused, or 0
 * @param rejections how often Creatio refused it in a row; at the limit it is parked
 * @param recheckUpTo after a resynchronisation, the messages up to this UID may have been delivered
 *        under the folder's old UIDVALIDITY: each is checked against the recently delivered Message-IDs
 *        first; 0 when there is nothing to check
 */
public record SyncCursor(long uidValidity, long lastUid, Instant lastDeliveredAt, long rejectedUid, int rejections,
        long recheckUpTo) {

    public SyncCursor(long uidValidity, long lastUid, Instant lastDeliveredAt) {
        this(uidValidity, lastUid, lastDeliveredAt, 0, 0, 0);
    }

    public SyncCursor advancedTo(long uid, Instant receivedAt) {
        return new SyncCursor(uidValidity, uid, receivedAt != null ? receivedAt : lastDeliveredAt, 0, 0,
                uid >= recheckUpTo ? 0 : recheckUpTo);
    }

    /** The cursor stays; it counts one more refusal of the message {@code uid}. */
    public SyncCursor rejected(long uid) {
        return new SyncCursor(uidValidity, lastUid, lastDeliveredAt, uid, rejectedUid == uid ? rejections + 1 : 1,
                recheckUpTo);
    }

    /** The same position, with the messages up to {@code uid} to be checked before they are delivered. */
    public SyncCursor recheckingUpTo(long uid) {
        return new SyncCursor(uidValidity, lastUid, lastDeliveredAt, rejectedUid, rejections, uid);
    }
}
