package org.emaillistener.common.imap;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;

import org.eclipse.angus.mail.imap.IMAPFolder;
import org.emaillistener.common.cursor.SyncCursor;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.search.ComparisonTerm;
import jakarta.mail.search.ReceivedDateTerm;

/**
 * Where new mail starts in a folder that has no cursor yet: after the last message received before
 * the mailbox was registered. Mail that arrived between Creatio's {@code create} and the first
 * connection is therefore still new, and older mail stays history (loaded only on request).
 */
public final class NewMailBoundary {

    private NewMailBoundary() {
    }

    /** @param folder an open folder */
    public static SyncCursor cursorFor(IMAPFolder folder, Instant registeredAt) throws MessagingException {
        long uidValidity = folder.getUIDValidity();
        long lastUid = lastUid(folder);
        // INTERNALDATE has whole seconds; SEARCH SINCE has whole days: narrow by day, then by date.
        Instant boundary = registeredAt.truncatedTo(ChronoUnit.SECONDS);
        Message[] sameDayOrLater = folder.search(new ReceivedDateTerm(ComparisonTerm.GE, Date.from(boundary)));
        long firstNew = Long.MAX_VALUE;
        for (Message message : sameDayOrLater) {
            Date received = message.getReceivedDate();
            if (received != null && !received.toInstant().isBefore(boundary)) {
                firstNew = Math.min(firstNew, folder.getUID(message));
            }
        }
        long cursor = firstNew == Long.MAX_VALUE ? lastUid : Math.min(lastUid, firstNew - 1);
        return new SyncCursor(uidValidity, cursor, null);
    }

    private static long lastUid(IMAPFolder folder) throws MessagingException {
        long uidNext = folder.getUIDNext();
        if (uidNext > 0) {
            return uidNext - 1;
        }
        int count = folder.getMessageCount();
        return count == 0 ? 0 : folder.getUID(folder.getMessage(count));
    }

}
