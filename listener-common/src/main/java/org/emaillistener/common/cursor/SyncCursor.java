package org.emaillistener.common.cursor;

import java.time.Instant;

/**
 * The position of delivery in one folder. An IMAP folder's is a UID under a UIDVALIDITY; an
 * Exchange folder's is the {@code SyncFolderItems} state after the last page delivered, with the
 * messages of the page being delivered checked against the recently delivered ones when a job ended
 * in its middle ({@code recheckUpTo}).
 *
 * @param uidValidity the folder's UIDVALIDITY when the UIDs were read
 * @param lastUid the highest UID delivered (or skipped as history, or parked)
 * @param lastDeliveredAt the INTERNALDATE of that message, used to resynchronise a folder whose
 *        UIDVALIDITY changed without sending all of it again; null when nothing was delivered yet
 * @param rejectedUid the message after the cursor that Creatio refused, or 0 (for Exchange a number
 *        derived from the item id)
 * @param rejections how often Creatio refused it in a row; at the limit it is parked
 * @param recheckUpTo after a resynchronisation, the messages up to this UID may have been delivered
 *        under the folder's old UIDVALIDITY: each is checked against the recently delivered Message-IDs
 *        first; 0 when there is nothing to check. For Exchange, non-zero while a page is being delivered
 * @param syncState Exchange's SyncFolderItems state; null (from the folder's beginning) until the
 *        first page was delivered, and for IMAP
 * @param skipBefore Exchange: while a pass from the folder's beginning runs, the items received
 *        before this are history, not delivered (the mailbox's registration, or after a lost sync
 *        state the last mail delivered); null once the pass is done, and for IMAP
 */
public record SyncCursor(long uidValidity, long lastUid, Instant lastDeliveredAt, long rejectedUid, int rejections,
        long recheckUpTo, String syncState, Instant skipBefore) {

    public SyncCursor(long uidValidity, long lastUid, Instant lastDeliveredAt) {
        this(uidValidity, lastUid, lastDeliveredAt, 0, 0, 0, null, null);
    }

    /**
     * An Exchange folder's first pass, from its beginning: what was received before {@code skipBefore}
     * is not delivered.
     */
    public static SyncCursor fromFolderStart(Instant skipBefore, Instant lastDeliveredAt) {
        return new SyncCursor(0, 0, lastDeliveredAt, 0, 0, 0, null, skipBefore);
    }

    /** The same position under another name of its sync state (a newer token for the same state). */
    public SyncCursor withSyncState(String state) {
        return new SyncCursor(uidValidity, lastUid, lastDeliveredAt, rejectedUid, rejections, recheckUpTo, state,
                skipBefore);
    }

    public SyncCursor advancedTo(long uid, Instant receivedAt) {
        return new SyncCursor(uidValidity, uid, receivedAt != null ? receivedAt : lastDeliveredAt, 0, 0,
                uid >= recheckUpTo ? 0 : recheckUpTo, syncState, skipBefore);
    }

    /** The cursor stays; it counts one more refusal of the message {@code uid}. */
    public SyncCursor rejected(long uid) {
        return new SyncCursor(uidValidity, lastUid, lastDeliveredAt, uid, rejectedUid == uid ? rejections + 1 : 1,
                recheckUpTo, syncState, skipBefore);
    }

    /** The same position, with the messages up to {@code uid} to be checked before they are delivered. */
    public SyncCursor recheckingUpTo(long uid) {
        return new SyncCursor(uidValidity, lastUid, lastDeliveredAt, rejectedUid, rejections, uid, syncState,
                skipBefore);
    }

    /**
     * A paged folder: delivery of the page starting here begins; should the job end before the page
     * does, the next one checks the page's messages against the delivered. Refusals still count.
     */
    public SyncCursor pageUnderWay() {
        return new SyncCursor(uidValidity, lastUid, lastDeliveredAt, rejectedUid, rejections, 1, syncState,
                skipBefore);
    }

    /** A paged folder: a message of the page under way was delivered (or parked). */
    public SyncCursor deliveredInPage(Instant receivedAt) {
        Instant last = receivedAt == null || lastDeliveredAt != null && lastDeliveredAt.isAfter(receivedAt)
                ? lastDeliveredAt : receivedAt;
        return new SyncCursor(uidValidity, lastUid, last, 0, 0, 1, syncState, skipBefore);
    }

    /**
     * An Exchange folder: the whole page was delivered; the next starts at {@code next}. The pass from
     * the folder's beginning goes on while {@code more}.
     */
    public SyncCursor pageDone(String next, boolean more) {
        return new SyncCursor(uidValidity, lastUid, lastDeliveredAt, 0, 0, 0, next, more ? skipBefore : null);
    }
}
