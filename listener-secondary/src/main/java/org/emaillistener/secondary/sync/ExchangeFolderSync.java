package org.emaillistener.secondary.sync;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import org.emaillistener.common.creatio.CreatioCallFailedException;
import org.emaillistener.common.cursor.Cursors;
import org.emaillistener.common.cursor.SyncCursor;
import org.emaillistener.common.exchange.ExchangeConnector;
import org.emaillistener.common.exchange.ExchangeException;
import org.emaillistener.common.exchange.ExchangeMailbox;
import org.emaillistener.common.exchange.ExchangeMailbox.ExchangeItem;
import org.emaillistener.common.exchange.ExchangeMailbox.ItemRef;
import org.emaillistener.common.exchange.ExchangeMailbox.SyncPage;
import org.emaillistener.common.parking.ParkedMessage;
import org.emaillistener.common.parking.ParkedMessages;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * Delivers the new mail of one Exchange folder to Creatio, page by page of {@code SyncFolderItems}
 * changes. The cursor is the sync state after the last page delivered: a page is asked for again
 * until all of it was delivered, and while a page is under way the cursor says so, so that a job
 * that ended in its middle is followed by one that checks each of the page's messages against the
 * recently delivered Message-IDs before it posts it. A folder without a cursor is read from its
 * beginning, skipping what was received before the mailbox's registration; so is a folder whose
 * sync state the server no longer accepts, skipping what was received before the last delivery.
 */
@Component
public class ExchangeFolderSync {

    private static final Logger log = LoggerFactory.getLogger(ExchangeFolderSync.class);

    private final ExchangeConnector connector;
    private final Cursors cursors;
    private final MessageDelivery delivery;
    private final ParkedMessages parked;
    private final SyncProperties properties;
    private final MeterRegistry meters;

    public ExchangeFolderSync(ExchangeConnector connector, Cursors cursors, MessageDelivery delivery,
            ParkedMessages parked, SyncProperties properties, MeterRegistry meters) {
        this.connector = connector;
        this.cursors = cursors;
        this.delivery = delivery;
        this.parked = parked;
        this.properties = properties;
        this.meters = meters;
    }

    /**
     * Delivers the folder's new items, whole pages at a time, until about {@code limit} were delivered.
     *
     * @param seenAt when the server announced new mail, or null for a catch-up
     * @return whether more changes wait in the folder
     */
    public boolean sync(RegisteredMailbox mailbox, String folderId, int limit, Instant seenAt)
            throws ExchangeException, CreatioCallFailedException, IOException {
        try (ExchangeMailbox exchange = connector.connect(mailbox.credentials())) {
            SyncCursor cursor = cursors.find(mailbox.id(), folderId)
                    .orElseGet(() -> SyncCursor.fromFolderStart(registrationSecond(mailbox), null));
            int delivered = 0;
            while (true) {
                SyncPage page;
                try {
                    page = exchange.sync(folderId, cursor.syncState(), connector.properties().syncPageSize());
                } catch (ExchangeException e) {
                    if (!e.syncStateInvalid() || cursor.syncState() == null) {
                        throw e;
                    }
                    cursor = restart(mailbox, folderId, cursor);
                    continue;
                }
                boolean recheck = cursor.recheckUpTo() != 0 || cursor.skipBefore() != null;
                for (ItemRef item : page.created()) {
                    if (cursor.skipBefore() != null && item.receivedAt() != null
                            && item.receivedAt().isBefore(cursor.skipBefore())) {
                        continue;
                    }
                    cursor = deliver(mailbox, exchange, folderId, item, cursor, recheck, seenAt);
                    delivered++;
                }
                cursor = cursor.pageDone(page.syncState(), page.more());
                cursors.save(mailbox.id(), folderId, cursor);
                if (!page.more()) {
                    if (delivered > 0) {
                        log.info("Mailbox {} folder {}: delivered {} item(s)", mailbox.id(), folderId, delivered);
                    }
                    return false;
                }
                if (delivered >= limit) {
                    return true;
                }
            }
        }
    }

    /** Delivers one item (or parks it, at Creatio's last refusal); returns the cursor after it. */
    private SyncCursor deliver(RegisteredMailbox mailbox, ExchangeMailbox exchange, String folderId, ItemRef item,
            SyncCursor cursor, boolean recheck, Instant seenAt)
            throws ExchangeException, CreatioCallFailedException, IOException {
        long key = itemKey(item.id());
        try {
            deliverItem(mailbox, exchange, item.id(), recheck, seenAt);
        } catch (ExchangeException e) {
            if (!e.itemNotFound()) {
                throw e;
            }
            log.debug("Mailbox {}: item {} was deleted before it could be read", mailbox.id(), key);
        } catch (CreatioCallFailedException e) {
            if (!FolderSync.refusedByCreatio(e)) {
                throw e;
            }
            SyncCursor counted = cursor.rejected(key);
            if (counted.rejections() < properties.maxRejections()) {
                cursors.save(mailbox.id(), folderId, counted);
                throw e;
            }
            park(mailbox, folderId, item, key, e);
        }
        SyncCursor next = cursor.deliveredInPage(item.receivedAt());
        cursors.save(mailbox.id(), folderId, next);
        return next;
    }

    /**
     * Fetches the item's MIME content to a spool file and delivers it; with
     * {@code MarkEmailsAsSynchronized}, categorises it afterwards.
     */
    private void deliverItem(RegisteredMailbox mailbox, ExchangeMailbox exchange, String itemId, boolean recheck,
            Instant seenAt) throws ExchangeException, CreatioCallFailedException, IOException {
        Path raw = delivery.spool();
        try {
            ExchangeItem item;
            try (OutputStream out = Files.newOutputStream(raw)) {
                item = exchange.fetch(itemId, out);
            }
            boolean posted = delivery.deliverSpooled(mailbox, raw, item.receivedAt(), seenAt, recheck);
            if (!posted) {
                log.info("Mailbox {}: item {} was delivered before; skipped", mailbox.id(), itemKey(itemId));
            }
        } finally {
            MessageDelivery.discard(raw);
        }
        if (mailbox.credentials().marksEmailsAsSynchronized()) {
            markSynchronized(mailbox, exchange, itemId);
        }
    }

    /** Delivers one item a history import found; one deleted meanwhile is skipped. */
    void deliverHistory(RegisteredMailbox mailbox, ExchangeMailbox exchange, String itemId)
            throws ExchangeException, CreatioCallFailedException, IOException {
        try {
            deliverItem(mailbox, exchange, itemId, false, null);
        } catch (ExchangeException e) {
            if (!e.itemNotFound()) {
                throw e;
            }
            log.debug("Mailbox {}: item {} was deleted before it could be read", mailbox.id(), itemKey(itemId));
        }
    }

    /**
     * Where new mail starts: Exchange keeps DateTimeReceived to the second, so the registration's
     * second belongs to the new mail, and a history import stops before it (nothing in both, nothing
     * in neither).
     */
    static Instant registrationSecond(RegisteredMailbox mailbox) {
        return mailbox.registeredAt().truncatedTo(ChronoUnit.SECONDS);
    }

    /** Creatio already has the email, so a failure here is only logged. */
    private void markSynchronized(RegisteredMailbox mailbox, ExchangeMailbox exchange, String itemId) {
        try {
            exchange.categorize(itemId, connector.properties().synchronizedCategory());
        } catch (ExchangeException | RuntimeException e) {
            log.warn("Mailbox {}: could not set category {} on item {}: {}", mailbox.id(),
                    connector.properties().synchronizedCategory(), itemKey(itemId), e.getMessage());
        }
    }

    /** The server lost the folder's sync state: a pass from the beginning, after the last delivery. */
    private SyncCursor restart(RegisteredMailbox mailbox, String folderId, SyncCursor lost) {
        Instant since = lost.lastDeliveredAt() != null ? lost.lastDeliveredAt() : registrationSecond(mailbox);
        SyncCursor restarted = SyncCursor.fromFolderStart(since, lost.lastDeliveredAt());
        meters.counter("email.listener.folders.resynchronised").increment();
        log.warn("Mailbox {} folder {}: Exchange no longer accepts the sync state (ErrorInvalidSyncStateData); "
                + "resynchronising from {}", mailbox.id(), folderId, since);
        cursors.save(mailbox.id(), folderId, restarted);
        return restarted;
    }

    private void park(RegisteredMailbox mailbox, String folderId, ItemRef item, long key,
            CreatioCallFailedException refusal) {
        parked.park(new ParkedMessage(mailbox.id(), folderId, 0, key, "", "", refusal.getMessage(), Instant.now(),
                item.id()));
        meters.counter("email.listener.messages.parked").increment();
        log.warn("Mailbox {} folder {}: Creatio refused item {} {} times; parked it and moving on: {}", mailbox.id(),
                folderId, key, properties.maxRejections(), refusal.getMessage());
    }

    /** Delivers a parked item again, as an operator asked. Done, or gone, it is no longer parked. */
    public void redeliver(RegisteredMailbox mailbox, String folderId, long key)
            throws ExchangeException, CreatioCallFailedException, IOException {
        ParkedMessage message = parked.find(mailbox.id(), folderId, key).orElse(null);
        if (message == null || message.itemId() == null) {
            return;
        }
        try (ExchangeMailbox exchange = connector.connect(mailbox.credentials())) {
            deliverItem(mailbox, exchange, message.itemId(), false, null);
            log.info("Mailbox {} folder {}: parked item {} delivered again", mailbox.id(), folderId, key);
        } catch (ExchangeException e) {
            if (!e.itemNotFound()) {
                throw e;
            }
            log.warn("Mailbox {} folder {}: parked item {} is no longer there", mailbox.id(), folderId, key);
        }
        parked.remove(mailbox.id(), folderId, key);
    }

    /**
     * A positive number that names an Exchange item where a UID would name an IMAP message (cursor
     * rejections, parked messages, logs): item ids are long and not for logs.
     */
    static long itemKey(String itemId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(itemId.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest).getLong() & Long.MAX_VALUE;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
