package org.emaillistener.common.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Short exclusive locks, so that one mailbox is synced by one syncer at a time, and the mailbox's
 * folders that need a sync ("dirty"), so that an event that arrives while the mailbox is being synced
 * causes one more sync by the lock's holder right after, never a wait and never a lost event.
 *
 * <p>The protocol: a sync job first {@linkplain #markDirty marks} its folder, then tries the lock.
 * Without it, the job is done: the holder {@linkplain Lock#releaseIfClean cannot let go} while a
 * folder is marked, so it {@linkplain Lock#takeDirty takes} the mark and syncs the folder. Marking
 * and releasing are atomic with respect to each other, so a mark made before a failed
 * {@code tryLock} is always seen by the holder that made it fail.
 */
public interface MailboxLocks {

    /** @return the lock, or empty if someone else holds it */
    Optional<Lock> tryLock(UUID mailboxId, Duration ttl);

    /**
     * Notes that a folder needs a sync for this reason. A folder marked already keeps the earliest
     * time and the more urgent reason (see {@link Dirty#merge}).
     */
    void markDirty(UUID mailboxId, String folder, Dirty dirty);

    /**
     * Why a folder needs a sync, and since when: what its sync reports (the latency of announced mail,
     * mail only a safety check found).
     */
    record Dirty(SyncJob.Reason reason, Instant since) {

        public static Dirty of(SyncJob job) {
            return new Dirty(job.reason(), job.createdAt());
        }

        /**
         * An announcement outranks a catch-up, a catch-up a backlog, a backlog a safety check; the
         * earliest time is kept.
         */
        public Dirty merge(Dirty other) {
            SyncJob.Reason urgent = rank(other.reason) > rank(reason) ? other.reason : reason;
            return new Dirty(urgent, since.isBefore(other.since) ? since : other.since);
        }

        /** Higher is more urgent. */
        public static int rank(SyncJob.Reason reason) {
            return switch (reason) {
                case NEW_MAIL -> 4;
                case CONNECTED -> 3;
                case BACKLOG -> 2;
                default -> 1;
            };
        }
    }

    interface Lock extends AutoCloseable {

        /** Keeps the lock for {@code ttl} from now, while it is still this holder's. */
        boolean extend(Duration ttl);

        /** The folders marked dirty, by name, and unmarks them. */
        Map<String, Dirty> takeDirty();

        /**
         * Lets go of the lock unless a folder is marked dirty.
         *
         * @return whether it was released; false: take the dirty folders and sync them first
         */
        boolean releaseIfClean();

        /** Lets go of the lock whatever is marked: after a failure, whose job comes back. */
        @Override
        void close();
    }
}
