package org.emaillistener.secondary.sync;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Function;

import org.emaillistener.common.creatio.DotNetTicks;
import org.emaillistener.common.history.HistoryImport;
import org.emaillistener.common.history.HistoryImport.FolderProgress;
import org.emaillistener.common.history.HistoryImports;
import org.emaillistener.common.jobs.SyncJob;
import org.emaillistener.common.jobs.SyncJobs;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Delivers the older mail that a history import asks for from a server that finds messages by their
 * receive time (Exchange's {@code FindItem}, Graph's {@code $filter}): Creatio's {@code Filters} is the
 * load-from date in .NET ticks (UTC). As for IMAP, the first job lists the watched folders and splits
 * into one job per folder; each folder's job finds the messages received from that date until the
 * mailbox's registration second (later mail is the live delivery's), oldest first, and delivers a
 * batch the way {@link PagedFolderSync} delivers new mail, recording progress after every message so
 * that a restarted job goes on where the last one stopped.
 */
@Component
public class PagedHistorySync {

    private static final Logger log = LoggerFactory.getLogger(PagedHistorySync.class);

    private final HistoryImports imports;
    private final SyncJobs jobs;
    private final PagedFolderSync pages;
    private final SyncProperties properties;

    PagedHistorySync(HistoryImports imports, SyncJobs jobs, PagedFolderSync pages, SyncProperties properties) {
        this.imports = imports;
        this.jobs = jobs;
        this.pages = pages;
        this.properties = properties;
    }

    /**
     * A mailbox on its server, as a history import reads it.
     *
     * @param watchedFolders lists the folders Creatio's mail comes from
     * @param received finds a folder's messages received in a window
     * @param folder a folder, as {@link PagedFolderSync} delivers from it
     * @param connection closed when the job is done
     */
    public record RemoteMailbox(Callable<List<String>> watchedFolders, Finder received,
            Function<String, PagedFolderSync.Folder> folder, AutoCloseable connection) implements AutoCloseable {

        @Override
        public void close() throws Exception {
            connection.close();
        }
    }

    /** Finds a folder's messages received in {@code [from, until)}, oldest first, at most {@code max}. */
    public interface Finder {
        Found find(String folderId, Instant from, Instant until, int max) throws Exception;
    }

    /** @param more whether the folder has more such messages than were asked for */
    public record Found(List<PagedFolderSync.Message> messages, boolean more) {
    }

    /**
     * Does one job of a history import; the caller holds the mailbox's lock. The server is reached
     * only for a job of a running import.
     */
    public void sync(RegisteredMailbox mailbox, SyncJob job, Callable<RemoteMailbox> connect) throws Exception {
        HistoryImport current = imports.find(mailbox.id(), job.filter()).orElse(null);
        if (current == null || current.finished()) {
            log.debug("History job {} belongs to no running import", job);
            return;
        }
        try (RemoteMailbox remote = connect.call()) {
            if (job.folder().isEmpty()) {
                List<String> watched = remote.watchedFolders().call();
                imports.save(current.withFolders(watched));
                watched.forEach(folder -> jobs.publish(SyncJob.history(mailbox.id(), folder, job.filter())));
                log.info("History import of mailbox {} (since {}): {} folder(s)", mailbox.id(), since(job.filter()),
                        watched.size());
                return;
            }
            syncFolder(mailbox, job, current, remote);
        }
    }

    private void syncFolder(RegisteredMailbox mailbox, SyncJob job, HistoryImport current, RemoteMailbox remote)
            throws Exception {
        FolderProgress progress = current.progress(job.folder());
        Instant from = progress.lastReceivedAt() != null ? progress.lastReceivedAt() : since(job.filter());
        int batchSize = properties.maxMessagesPerJob();
        Instant until = PagedFolderSync.registrationSecond(mailbox);
        int page = Math.min(1000, batchSize * 2);
        Found found;
        List<PagedFolderSync.Message> left;
        while (true) {
            found = from.isBefore(until) ? remote.received().find(job.folder(), from, until, page)
                    : new Found(List.of(), false);
            List<PagedFolderSync.Message> candidates = found.messages();
            Instant cut = null;
            if (found.more() && !candidates.isEmpty()) {
                // Servers order by receive time alone: a page that stops short may hold only part of
                // its last second, and messages are delivered by receive time, then key. Only the
                // seconds before it are delivered from the page; once they are, that second is listed
                // whole (ids only), so that no page size leaves a message of it out.
                Instant lastSecond = candidates.stream().map(PagedFolderSync.Message::receivedAt)
                        .filter(Objects::nonNull).map(at -> at.truncatedTo(ChronoUnit.SECONDS))
                        .max(Comparator.naturalOrder()).orElse(from);
                candidates = candidates.stream()
                        .filter(message -> message.receivedAt() != null && message.receivedAt().isBefore(lastSecond))
                        .toList();
                if (leftToDeliver(candidates, progress).isEmpty()) {
                    candidates = remote.received().find(job.folder(), lastSecond, lastSecond.plusSeconds(1),
                            Integer.MAX_VALUE).messages();
                    cut = lastSecond;
                }
            }
            left = leftToDeliver(candidates, progress);
            if (!left.isEmpty() || cut == null) {
                break;
            }
            from = cut.plusSeconds(1);
        }
        List<PagedFolderSync.Message> batch = left.subList(0, Math.min(left.size(), batchSize));
        FolderProgress done = progress.found(progress.delivered() + left.size());
        PagedFolderSync.Folder folder = remote.folder().apply(job.folder());
        for (PagedFolderSync.Message message : batch) {
            try {
                pages.deliverFound(mailbox, folder, message);
            } catch (Exception e) {
                imports.save(current.with(job.folder(), done.failedOnce()));
                throw e;
            }
            done = done.deliveredUpTo(message.receivedAt(), PagedFolderSync.itemKey(message.id()));
            current = current.with(job.folder(), done);
            imports.save(current);
        }
        boolean more = found.more() || left.size() > batch.size();
        if (!more) {
            current = current.with(job.folder(), done.finished());
            imports.save(current);
        }
        log.info("History import of mailbox {} folder {} (since {}): delivered {}{}", mailbox.id(), job.folder(),
                since(job.filter()), done.delivered(), more ? "; continuing" : "; folder done");
        if (more) {
            jobs.publish(SyncJob.history(mailbox.id(), job.folder(), job.filter()));
        }
    }

    /** The found messages not delivered yet, in the order they are delivered: by receive time, then key. */
    private static List<PagedFolderSync.Message> leftToDeliver(List<PagedFolderSync.Message> found,
            FolderProgress progress) {
        return found.stream()
                .filter(message -> message.receivedAt() != null)
                .sorted(Comparator.comparing(PagedFolderSync.Message::receivedAt)
                        .thenComparingLong(message -> PagedFolderSync.itemKey(message.id())))
                .filter(message -> progress.leftToDeliver(message.receivedAt(), PagedFolderSync.itemKey(message.id())))
                .toList();
    }

    /** Creatio's Filters for Exchange: the UTC load-from date in .NET ticks; the API accepted only that. */
    static Instant since(String filter) {
        return DotNetTicks.toInstant(Long.parseLong(filter.trim()));
    }
}
