package org.emaillistener.common.history;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One history import of one mailbox: the search Creatio asked for, and how far each folder got.
 *
 * @param mailboxId the mailbox
 * @param filter the IMAP SEARCH expression Creatio sent as {@code Filters}
 * @param status running, done, or ended by an operator
 * @param folders progress by folder; empty until the folders have been listed
 * @param startedAt when the import was requested
 * @param updatedAt when it last made progress
 */
public record HistoryImport(UUID mailboxId, String filter, Status status, Map<String, FolderProgress> folders,
        Instant startedAt, Instant updatedAt) {

    /** An import that made no progress for this long no longer blocks an identical new request. */
    public static final Duration STALE_AFTER = Duration.ofHours(1);

    public HistoryImport {
        folders = Map.copyOf(folders);
    }

    public static HistoryImport started(UUID mailboxId, String filter) {
        Instant now = Instant.now();
        return new HistoryImport(mailboxId, filter, Status.RUNNING, Map.of(), now, now);
    }

    public boolean running(Instant now) {
        return status == Status.RUNNING && updatedAt.plus(STALE_AFTER).isAfter(now);
    }

    public HistoryImport withFolders(List<String> names) {
        Map<String, FolderProgress> progress = new LinkedHashMap<>();
        names.forEach(name -> progress.put(name, FolderProgress.NOT_STARTED));
        return new HistoryImport(mailboxId, filter, status, progress, startedAt, Instant.now());
    }

    /** Records a folder's progress; the import is done when every folder is. */
    public HistoryImport with(String folder, FolderProgress progress) {
        Map<String, FolderProgress> updated = new LinkedHashMap<>(folders);
        updated.put(folder, progress);
        boolean done = updated.values().stream().allMatch(FolderProgress::done);
        Status next = status == Status.ENDED ? Status.ENDED : done ? Status.DONE : Status.RUNNING;
        return new HistoryImport(mailboxId, filter, next, updated, startedAt, Instant.now());
    }

    public FolderProgress progress(String folder) {
        return folders.getOrDefault(folder, FolderProgress.NOT_STARTED);
    }

    public int found() {
        return folders.values().stream().mapToInt(FolderProgress::found).sum();
    }

    public int delivered() {
        return folders.values().stream().mapToInt(FolderProgress::delivered).sum();
    }

    public int failed() {
        return folders.values().stream().mapToInt(FolderProgress::failed).sum();
    }

    public enum Status {
        RUNNING,
        DONE,
        /** Ended by an operator before it was done: its remaining jobs do nothing. */
        ENDED
    }

    /** Done, or ended: no job of it does anything any more. */
    public boolean finished() {
        return status != Status.RUNNING;
    }

    public HistoryImport ended() {
        return new HistoryImport(mailboxId, filter, Status.ENDED, folders, startedAt, Instant.now());
    }

    /**
     * How far one folder got. Messages are delivered oldest first, ordered by INTERNALDATE then UID;
     * {@code lastReceivedAt} and {@code lastUid} name the last one delivered.
     *
     * @param found messages the search selected (and the live cursor does not cover)
     * @param delivered messages Creatio accepted
     * @param failed delivery attempts Creatio refused or that did not reach it
     * @param lastReceivedAt INTERNALDATE of the last delivered message (the epoch for a message without
     *        one), or null when none was delivered yet
     * @param lastUid UID of the last delivered message, or 0
     * @param done whether the folder is finished
     */
    public record FolderProgress(int found, int delivered, int failed, Instant lastReceivedAt, long lastUid,
            boolean done) {

        public static final FolderProgress NOT_STARTED = new FolderProgress(0, 0, 0, null, 0, false);

        public FolderProgress found(int count) {
            return new FolderProgress(count, delivered, failed, lastReceivedAt, lastUid, done);
        }

        public FolderProgress deliveredUpTo(Instant receivedAt, long uid) {
            return new FolderProgress(found, delivered + 1, failed, receivedAt, uid, done);
        }

        public FolderProgress failedOnce() {
            return new FolderProgress(found, delivered, failed + 1, lastReceivedAt, lastUid, done);
        }

        public FolderProgress finished() {
            return new FolderProgress(found, delivered, failed, lastReceivedAt, lastUid, true);
        }

        /** Whether a message comes after the last delivered one, in delivery order (date, then UID). */
        public boolean leftToDeliver(Instant receivedAt, long uid) {
            if (lastReceivedAt == null) {
                return true;
            }
            int byDate = receivedAt.compareTo(lastReceivedAt);
            return byDate > 0 || (byDate == 0 && uid > lastUid);
        }
    }
}
