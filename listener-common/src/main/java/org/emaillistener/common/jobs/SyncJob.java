package org.emaillistener.common.jobs;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * Look for mail to deliver in one folder of one mailbox: new mail above the folder's cursor, or,
 * for a history import, the older mail a search selects.
 *
 * @param mailboxId the mailbox
 * @param folder the folder's full name on the server; for a history import that has not been split
 *        by folder yet, empty: every watched folder
 * @param reason why the job was published
 * @param filter the IMAP SEARCH expression of a history import or a re-delivery, else null
 * @param createdAt when it was published
 */
public record SyncJob(UUID mailboxId, String folder, Reason reason, String filter, Instant createdAt) {

    public SyncJob {
        Objects.requireNonNull(mailboxId, "mailboxId");
        Objects.requireNonNull(folder, "folder");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(createdAt, "createdAt");
        if ((reason == Reason.HISTORY || reason == Reason.REDELIVER) != (filter != null)) {
            throw new IllegalArgumentException("history and re-delivery jobs, and only they, have a filter");
        }
    }

    public static SyncJob of(UUID mailboxId, String folder, Reason reason) {
        return new SyncJob(mailboxId, folder, reason, null, Instant.now());
    }

    public static SyncJob history(UUID mailboxId, String folder, String filter) {
        return new SyncJob(mailboxId, folder, Reason.HISTORY, filter, Instant.now());
    }

    public static SyncJob redeliver(UUID mailboxId, String folder, long uid) {
        return new SyncJob(mailboxId, folder, Reason.REDELIVER, "UID " + uid, Instant.now());
    }

    /** Two jobs with the same key do the same work: a queued one makes the other redundant. */
    public String key() {
        return mailboxId + "/" + folder + (filter == null ? "" : "/" + reason + "/" + filter);
    }

    public enum Reason {
        /** The subscription (re)connected: catch up on whatever arrived while it was away. */
        CONNECTED,
        /** The server announced new mail, or a periodic check saw a folder's UIDNEXT grow. */
        NEW_MAIL,
        /** The periodic safety check, for new mail whose IDLE event never came. */
        PERIODIC,
        /** More new mail waits than one job delivers. */
        BACKLOG,
        /** Creatio asked for older mail ({@code /api/email/synchronize}). */
        HISTORY,
        /** An operator asked to deliver a parked message again; the filter is {@code UID <n>}. */
        REDELIVER
    }
}
