package org.emaillistener.secondary.sync;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import org.emaillistener.common.creatio.CreatioCallFailedException;
import org.emaillistener.common.cursor.Cursors;
import org.emaillistener.common.cursor.SyncCursor;
import org.emaillistener.common.exchange.ExchangeProperties;
import org.emaillistener.common.graph.GraphConnector;
import org.emaillistener.common.graph.GraphException;
import org.emaillistener.common.graph.GraphMailbox;
import org.emaillistener.common.graph.GraphMailbox.DeltaPage;
import org.emaillistener.common.graph.GraphMailbox.MessageRef;
import org.emaillistener.common.parking.ParkedMessage;
import org.emaillistener.common.parking.ParkedMessages;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * Delivers the new mail of one Exchange Online folder to Creatio, page by page of Graph's message
 * delta, with the same rules as {@link ExchangeFolderSync}: the cursor's sync state is the link to
 * ask from next (a page's next link, then the round's delta link), moved only after a page was
 * delivered whole; a job that ended mid-page leaves the cursor saying so, and the next checks that
 * page's messages against the recently delivered Message-IDs. A folder without a cursor is read from
 * its beginning, skipping what was received before the registration; a delta link Graph no longer
 * accepts ({@code 410 Gone}) restarts from the beginning, skipping what was received before the last
 * delivery.
 *
 * <p>Graph's delta reports changed messages too, not only new ones: a message received no later than
 * the last one delivered is checked against the delivered Message-IDs before it is posted, so a flag
 * or category change never sends mail to Creatio again.
 */
@Component
public class GraphFolderSync {

    private static final Logger log = LoggerFactory.getLogger(GraphFolderSync.class);

    private final GraphConnector connector;
    private final Cursors cursors;
    private final MessageDelivery delivery;
    private final ParkedMessages parked;
    private final SyncProperties properties;
    private final ExchangeProperties exchange;
    private final MeterRegistry meters;

    public GraphFolderSync(GraphConnector connector, Cursors cursors, MessageDelivery delivery, ParkedMessages parked,
            SyncProperties properties, ExchangeProperties exchange, MeterRegistry meters) {
        this.connector = connector;
        this.cursors = cursors;
        this.delivery = delivery;
        this.parked = parked;
        this.properties = properties;
        this.exchange = exchange;
        this.meters = meters;
    }

    /**
     * Delivers the folder's new messages, whole pages at a time, until about {@code limit} were delivered.
     *
     * @param seenAt when the change was seen, or null for a catch-up
     * @return whether more changes wait in the folder
     */
    public boolean sync(RegisteredMailbox mailbox, String folderId, int limit, Instant seenAt)
            throws GraphException, CreatioCallFailedException, IOException {
        GraphMailbox graph = connector.connect(mailbox.credentials());
        SyncCursor cursor = cursors.find(mailbox.id(), folderId)
                .orElseGet(() -> SyncCursor.fromFolderStart(ExchangeFolderSync.registrationSecond(mailbox), null));
        int delivered = 0;
        while (true) {
            DeltaPage page;
            try {
                page = graph.delta(folderId, cursor.syncState(), connector.properties().deltaPageSize());
            } catch (GraphException e) {
                if (!e.deltaExpired() || cursor.syncState() == null) {
                    throw e;
                }
                cursor = restart(mailbox, folderId, cursor);
                continue;
            }
            boolean pageRecheck = cursor.recheckUpTo() != 0 || cursor.skipBefore() != null;
            Instant lastBeforePage = cursor.lastDeliveredAt();
            for (MessageRef message : page.changed()) {
                if (cursor.skipBefore() != null && message.receivedAt() != null
                        && message.receivedAt().isBefore(cursor.skipBefore())) {
                    continue;
                }
                boolean recheck = pageRecheck || lastBeforePage == null || message.receivedAt() == null
                        || !message.receivedAt().isAfter(lastBeforePage);
                cursor = deliver(mailbox, graph, folderId, message, cursor, recheck, seenAt);
                delivered++;
            }
            cursor = cursor.pageDone(page.link(), page.more());
            cursors.save(mailbox.id(), folderId, cursor);
            if (!page.more()) {
                if (delivered > 0) {
                    log.info("Mailbox {} folder {}: delivered {} message(s) through Graph", mailbox.id(), folderId,
                            delivered);
                }
                return false;
            }
            if (delivered >= limit) {
                return true;
            }
        }
    }

    /** Delivers one message (or parks it, at Creatio's last refusal); returns the cursor after it. */
    private SyncCursor deliver(RegisteredMailbox mailbox, GraphMailbox graph, String folderId, MessageRef message,
            SyncCursor cursor, boolean recheck, Instant seenAt)
            throws GraphException, CreatioCallFailedException, IOException {
        long key = ExchangeFolderSync.itemKey(message.id());
        try {
            deliverMessage(mailbox, graph, message, recheck, seenAt);
        } catch (GraphException e) {
            if (!e.itemNotFound()) {
                throw e;
            }
            log.debug("Mailbox {}: message {} was deleted before it could be read", mailbox.id(), key);
        } catch (CreatioCallFailedException e) {
            if (!FolderSync.refusedByCreatio(e)) {
                throw e;
            }
            SyncCursor counted = cursor.rejected(key);
            if (counted.rejections() < properties.maxRejections()) {
                cursors.save(mailbox.id(), folderId, counted);
                throw e;
            }
            park(mailbox, folderId, message.id(), key, e);
        }
        SyncCursor next = cursor.deliveredInPage(message.receivedAt());
        cursors.save(mailbox.id(), folderId, next);
        return next;
    }

    /** Fetches the message's MIME to a spool file and delivers it; categorises it when Creatio asks for that. */
    private void deliverMessage(RegisteredMailbox mailbox, GraphMailbox graph, MessageRef message, boolean recheck,
            Instant seenAt) throws GraphException, CreatioCallFailedException, IOException {
        Path raw = delivery.spool();
        boolean posted;
        try {
            try (OutputStream out = Files.newOutputStream(raw)) {
                graph.mime(message.id(), out);
            }
            posted = delivery.deliverSpooled(mailbox, raw, message.receivedAt(), seenAt, recheck);
        } finally {
            MessageDelivery.discard(raw);
        }
        if (!posted) {
            log.debug("Mailbox {}: message {} was delivered before; skipped", mailbox.id(),
                    ExchangeFolderSync.itemKey(message.id()));
        }
        if (mailbox.credentials().marksEmailsAsSynchronized()) {
            markSynchronized(mailbox, graph, message.id());
        }
    }

    /** Creatio already has the email, so a failure here is only logged. */
    private void markSynchronized(RegisteredMailbox mailbox, GraphMailbox graph, String messageId) {
        try {
            graph.categorize(messageId, exchange.synchronizedCategory());
        } catch (GraphException | RuntimeException e) {
            log.warn("Mailbox {}: could not set category {} on message {}: {}", mailbox.id(),
                    exchange.synchronizedCategory(), ExchangeFolderSync.itemKey(messageId), e.getMessage());
        }
    }

    /** Graph lost the folder's delta: a round from the beginning, after the last delivery. */
    private SyncCursor restart(RegisteredMailbox mailbox, String folderId, SyncCursor lost) {
        Instant since = lost.lastDeliveredAt() != null ? lost.lastDeliveredAt()
                : ExchangeFolderSync.registrationSecond(mailbox);
        SyncCursor restarted = SyncCursor.fromFolderStart(since, lost.lastDeliveredAt());
        meters.counter("email.listener.folders.resynchronised").increment();
        log.warn("Mailbox {} folder {}: Graph no longer accepts the delta link (410 Gone); resynchronising from {}",
                mailbox.id(), folderId, since);
        cursors.save(mailbox.id(), folderId, restarted);
        return restarted;
    }

    private void park(RegisteredMailbox mailbox, String folderId, String messageId, long key,
            CreatioCallFailedException refusal) {
        parked.park(new ParkedMessage(mailbox.id(), folderId, 0, key, "", "", refusal.getMessage(), Instant.now(),
                messageId));
        meters.counter("email.listener.messages.parked").increment();
        log.warn("Mailbox {} folder {}: Creatio refused message {} {} times; parked it and moving on: {}",
                mailbox.id(), folderId, key, properties.maxRejections(), refusal.getMessage());
    }

    /** Delivers a parked message again, as an operator asked. Done, or gone, it is no longer parked. */
    public void redeliver(RegisteredMailbox mailbox, String folderId, long key)
            throws GraphException, CreatioCallFailedException, IOException {
        ParkedMessage message = parked.find(mailbox.id(), folderId, key).orElse(null);
        if (message == null || message.itemId() == null) {
            return;
        }
        GraphMailbox graph = connector.connect(mailbox.credentials());
        try {
            deliverMessage(mailbox, graph, new MessageRef(message.itemId(), null), false, null);
            log.info("Mailbox {} folder {}: parked message {} delivered again", mailbox.id(), folderId, key);
        } catch (GraphException e) {
            if (!e.itemNotFound()) {
                throw e;
            }
            log.warn("Mailbox {} folder {}: parked message {} is no longer there", mailbox.id(), folderId, key);
        }
        parked.remove(mailbox.id(), folderId, key);
    }
}
