package org.emaillistener.secondary.imap;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import org.eclipse.angus.mail.iap.Response;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.protocol.IMAPResponse;
import org.emaillistener.common.creatio.CreatioCallFailedException;
import org.emaillistener.common.history.HistoryImport;
import org.emaillistener.common.history.HistoryImport.FolderProgress;
import org.emaillistener.common.history.HistoryImports;
import org.emaillistener.common.imap.ImapConnections;
import org.emaillistener.common.imap.NewMailBoundary;
import org.emaillistener.common.imap.WatchedFolders;
import org.emaillistener.common.jobs.SyncJob;
import org.emaillistener.common.jobs.SyncJobs;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.common.route.MailProtocol;
import org.emaillistener.secondary.sync.HistorySync;
import org.emaillistener.secondary.sync.MessageDelivery;
import org.emaillistener.secondary.sync.SyncProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import jakarta.mail.FetchProfile;
import jakarta.mail.Message;
import jakarta.mail.MessageRemovedException;
import jakarta.mail.MessagingException;
import jakarta.mail.UIDFolder;

/**
 * Delivers the older mail a history import of an IMAP mailbox selects. The first job of an import
 * lists the watched folders and splits into one job per folder; each folder's job runs Creatio's
 * SEARCH expression, keeps the matches received before the mailbox was registered (later mail is the
 * live delivery's) and delivers them oldest first, a batch per job, recording progress after every
 * message so that a restarted or redelivered job goes on where the last one stopped. The live cursor
 * is not touched.
 */
@Component
class ImapHistorySync implements HistorySync {

    private static final Logger log = LoggerFactory.getLogger(ImapHistorySync.class);

    private final ImapConnections connections;
    private final HistoryImports imports;
    private final SyncJobs jobs;
    private final MessageDelivery delivery;
    private final SyncProperties properties;

    ImapHistorySync(ImapConnections connections, HistoryImports imports, SyncJobs jobs, MessageDelivery delivery,
            SyncProperties properties) {
        this.connections = connections;
        this.imports = imports;
        this.jobs = jobs;
        this.delivery = delivery;
        this.properties = properties;
    }

    @Override
    public MailProtocol protocol() {
        return MailProtocol.IMAP;
    }

    /**
     * Does one job of a history import. The caller holds the mailbox's lock, so no other job of the
     * import changes its record meanwhile.
     */
    @Override
    public void sync(RegisteredMailbox mailbox, SyncJob job) throws MessagingException, CreatioCallFailedException {
        HistoryImport current = imports.find(mailbox.id(), job.filter()).orElse(null);
        if (current == null || current.finished()) {
            log.debug("History job {} belongs to no running import", job);
            return;
        }
        try (ImapConnections.Connection connection = connections.take(mailbox.id(), mailbox.credentials())) {
            if (job.folder().isEmpty()) {
                List<String> folders = connection.first(store -> WatchedFolders.of(store,
                        mailbox.credentials().FolderIds()));
                imports.save(current.withFolders(folders));
                folders.forEach(folder -> jobs.publish(SyncJob.history(mailbox.id(), folder, job.filter())));
                log.info("History import of mailbox {} ({}): {} folder(s)", mailbox.id(), job.filter(), folders.size());
            } else {
                IMAPFolder folder = connection.open(job.folder(), opening -> MessageDelivery.open(mailbox, opening));
                syncFolder(mailbox, job, current, folder);
            }
            connection.reusable();
        }
    }

    private void syncFolder(RegisteredMailbox mailbox, SyncJob job, HistoryImport current, IMAPFolder folder)
            throws MessagingException, CreatioCallFailedException {
        List<Match> matches = matches(mailbox, folder, job.filter());
        FolderProgress progress = current.progress(job.folder()).found(matches.size());
        List<Match> left = matches.stream()
                .filter(match -> progress.leftToDeliver(match.receivedAt(), match.uid()))
                .toList();
        List<Match> batch = left.subList(0, Math.min(left.size(), properties.maxMessagesPerJob()));
        FolderProgress done = progress;
        for (Match match : batch) {
            try {
                delivery.deliver(mailbox, folder, match.message(), match.uid(), null);
            } catch (MessageRemovedException e) {
                log.debug("Mailbox {}: UID {} was expunged before it could be read", mailbox.id(), match.uid());
            } catch (CreatioCallFailedException | MessagingException e) {
                imports.save(current.with(job.folder(), done.failedOnce()));
                throw e;
            }
            done = done.deliveredUpTo(match.receivedAt(), match.uid());
            current = current.with(job.folder(), done);
            imports.save(current);
        }
        boolean more = left.size() > batch.size();
        if (!more) {
            current = current.with(job.folder(), done.finished());
            imports.save(current);
        }
        log.info("History import of mailbox {} folder {} ({}): found {}, delivered {}, failed {}{}", mailbox.id(),
                job.folder(), job.filter(), done.found(), done.delivered(), done.failed(),
                more ? "; continuing" : "; folder done" + (current.status() == HistoryImport.Status.DONE
                        ? " (import done: found " + current.found() + ", delivered " + current.delivered() + ")"
                        : ""));
        if (more) {
            jobs.publish(SyncJob.history(mailbox.id(), job.folder(), job.filter()));
        }
    }

    private record Match(Message message, long uid, Instant receivedAt) {
    }

    /**
     * The search's matches among the mail received before the mailbox was registered, oldest first:
     * what arrived since is the live delivery's, and must not reach Creatio twice.
     */
    private static List<Match> matches(RegisteredMailbox mailbox, IMAPFolder folder, String filter)
            throws MessagingException {
        long history = NewMailBoundary.cursorFor(folder, mailbox.registeredAt()).lastUid();
        long[] uids = Arrays.stream(search(folder, filter)).filter(uid -> uid <= history).toArray();
        if (uids.length == 0) {
            return List.of();
        }
        Message[] messages = folder.getMessagesByUID(uids);
        FetchProfile profile = new FetchProfile();
        profile.add(UIDFolder.FetchProfileItem.UID);
        profile.add(IMAPFolder.FetchProfileItem.INTERNALDATE);
        folder.fetch(messages, profile);
        List<Match> matches = new ArrayList<>();
        for (Message message : messages) {
            if (message != null) {
                var received = message.getReceivedDate();
                matches.add(new Match(message, folder.getUID(message),
                        received == null ? Instant.EPOCH : received.toInstant()));
            }
        }
        matches.sort(Comparator.comparing(Match::receivedAt).thenComparingLong(Match::uid));
        return matches;
    }

    /**
     * {@code UID SEARCH <filter>} with Creatio's expression as it came (e.g.
     * {@code UNDRAFT UNDELETED SENTSINCE 01-Nov-2023}); the API accepted only printable ASCII
     * without literals, so it cannot smuggle a second command.
     */
    private static long[] search(IMAPFolder folder, String filter) throws MessagingException {
        return (long[]) folder.doCommand(protocol -> {
            Response[] responses = protocol.command("UID SEARCH " + filter, null);
            Response status = responses[responses.length - 1];
            List<Long> uids = new ArrayList<>();
            for (Response response : responses) {
                if (response instanceof IMAPResponse untagged && untagged.keyEquals("SEARCH")) {
                    long uid;
                    while ((uid = untagged.readLong()) != -1) {
                        uids.add(uid);
                    }
                }
            }
            protocol.notifyResponseHandlers(Arrays.copyOf(responses, responses.length - 1));
            protocol.handleResult(status);
            return uids.stream().mapToLong(Long::longValue).toArray();
        });
    }
}
