package org.emaillistener.secondary.sync;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;

import org.emaillistener.common.creatio.DotNetTicks;
import org.emaillistener.common.exchange.ExchangeConnector;
import org.emaillistener.common.exchange.ExchangeMailbox;
import org.emaillistener.common.exchange.ExchangeMailbox.ItemRef;
import org.emaillistener.common.exchange.ExchangeWatchedFolders;
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
 * Delivers the older mail of an Exchange mailbox that a history import asks for: Creatio's
 * {@code Filters} is the load-from date in .NET ticks (UTC). As for IMAP, the first job lists the
 * watched folders and splits into one job per folder; each folder's job finds the items received
 * from that date until the mailbox's registration (later mail is the live delivery's), oldest first,
 * and delivers a batch, recording progress after every item so that a restarted job goes on where
 * the last one stopped.
 */
@Component
public class ExchangeHistorySync {

    private static final Logger log = LoggerFactory.getLogger(ExchangeHistorySync.class);

    private final ExchangeConnector connector;
    private final HistoryImports imports;
    private final SyncJobs jobs;
    private final ExchangeFolderSync folders;
    private final PagedFolderSync pages;
    private final SyncProperties properties;

    ExchangeHistorySync(ExchangeConnector connector, HistoryImports imports, SyncJobs jobs, ExchangeFolderSync folders,
            PagedFolderSync pages, SyncProperties properties) {
        this.connector = connector;
        this.imports = imports;
        this.jobs = jobs;
        this.folders = folders;
        this.pages = pages;
        this.properties = properties;
    }

    /** Does one job of a history import; the caller holds the mailbox's lock. */
    public void sync(RegisteredMailbox mailbox, SyncJob job) throws Exception {
        HistoryImport current = imports.find(mailbox.id(), job.filter()).orElse(null);
        if (current == null || current.status() == HistoryImport.Status.DONE) {
            log.debug("History job {} belongs to no running import", job);
            return;
        }
        try (ExchangeMailbox exchange = connector.connect(mailbox.credentials())) {
            if (job.folder().isEmpty()) {
                List<String> watched = ExchangeWatchedFolders.of(exchange, mailbox.credentials().FolderIds());
                imports.save(current.withFolders(watched));
                watched.forEach(folder -> jobs.publish(SyncJob.history(mailbox.id(), folder, job.filter())));
                log.info("History import of mailbox {} (since {}): {} folder(s)", mailbox.id(), since(job.filter()),
                        watched.size());
                return;
            }
            syncFolder(mailbox, job, current, exchange);
        }
    }

    private void syncFolder(RegisteredMailbox mailbox, SyncJob job, HistoryImport current, ExchangeMailbox exchange)
            throws Exception {
        FolderProgress progress = current.progress(job.folder());
        Instant from = progress.lastReceivedAt() != null ? progress.lastReceivedAt() : since(job.filter());
        int batchSize = properties.maxMessagesPerJob();
        Instant until = PagedFolderSync.registrationSecond(mailbox);
        ExchangeMailbox.ItemPage page = from.isBefore(until)
                ? exchange.received(job.folder(), from, until, 0, Math.min(1000, batchSize * 2))
                : new ExchangeMailbox.ItemPage(List.of(), false);
        List<ItemRef> left = page.items().stream()
                .filter(item -> item.receivedAt() != null)
                .sorted(Comparator.comparing(ItemRef::receivedAt)
                        .thenComparingLong(item -> PagedFolderSync.itemKey(item.id())))
                .filter(item -> progress.leftToDeliver(item.receivedAt(), PagedFolderSync.itemKey(item.id())))
                .toList();
        List<ItemRef> batch = left.subList(0, Math.min(left.size(), batchSize));
        FolderProgress done = progress.found(progress.delivered() + left.size());
        for (ItemRef item : batch) {
            try {
                pages.deliverFound(mailbox, folders.folder(exchange, job.folder()),
                        new PagedFolderSync.Message(item.id(), item.receivedAt()));
            } catch (Exception e) {
                imports.save(current.with(job.folder(), done.failedOnce()));
                throw e;
            }
            done = done.deliveredUpTo(item.receivedAt(), PagedFolderSync.itemKey(item.id()));
            current = current.with(job.folder(), done);
            imports.save(current);
        }
        boolean more = page.more() || left.size() > batch.size();
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

    /** Creatio's Filters for Exchange: the UTC load-from date in .NET ticks; the API accepted only that. */
    static Instant since(String filter) {
        return DotNetTicks.toInstant(Long.parseLong(filter.trim()));
    }
}
