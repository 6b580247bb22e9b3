package org.emaillistener.common.jobs;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * Look for new mail in one folder of one mailbox.
 *
 * @param mailboxId the mailbox
 * @param folder the folder's full name on the server
 * @param reason why the job was published
 * @param createdAt when it was published
 */
public record SyncJob(UUID mailboxId, String folder, Reason reason, Instant createdAt) {

    public SyncJob {
        Objects.requireNonNull(mailboxId, "mailboxId");
        Objects.requireNonNull(folder, "folder");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    public static SyncJob of(UUID mailboxId, String folder, Reason reason) {
        return new SyncJob(mailboxId, folder, reason, Instant.now());
    }

    /** Two jobs with the same key do the same work: a queued one makes the other redundant. */
    public String key() {
        return mailboxId + "/" + folder;
    }

    public enum Reason {
        /** The subscription (re)connected: catch up on whatever arrived while it was away. */
        CONNECTED,
        /** The server announced new mail. */
        NEW_MAIL,
        /** A periodic check of a folder that is not watched with IDLE saw it change. */
        FOLDER_CHANGED
    }
}
