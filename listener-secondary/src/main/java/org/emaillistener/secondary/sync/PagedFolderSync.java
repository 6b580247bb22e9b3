package org.emaillistener.secondary.sync;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.Predicate;

import org.emaillistener.common.creatio.CreatioCallFailedException;
import org.emaillistener.common.cursor.Cursors;
import org.emaillistener.common.cursor.SyncCursor;
import org.emaillistener.common.parking.ParkedMessage;
import org.emaillistener.common.parking.ParkedMessages;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * Delivers the new mail of a folder whose server hands out its changes page by page from an opaque
 * position (Exchange's {@code SyncFolderItems} state, Graph's delta link): the rules both follow.
 * <ul>
 * <li>The cursor is the position after the last page delivered, and moves only when a page was
 * delivered whole; while a page is under way the cursor says so, and a job that ended in its
 * middle is followed by one that checks each of the page's messages against the recently delivered
 * Message-IDs before it posts it.</li>
 * <li>A folder without a cursor is read from its beginning, skipping what was received before the
 * registration's second (servers keep the receive time to the second: the registration's second
 * belongs to the new mail, and a history import stops before it); a position the server no longer
 * accepts restarts from the beginning, skipping what was received before the last delivery.</li>
 * <li>A server whose pages also report changed messages (Graph's delta) has every message received
 * no later than the last one delivered checked the same way, so a flag change sends nothing again.</li>
 * <li>A message Creatio keeps refusing is parked after {@code listener.sync.max-rejections}; an
 * operator can deliver it again.</li>
 * </ul>
 */
@Component
public class PagedFolderSync {

    private static final Logger log = LoggerFactory.getLogger(PagedFolderSync.class);

    private final Cursors cursors;
    private final MessageDelivery delivery;
    private final ParkedMessages parked;
    private final SyncProperties properties;
    private final MeterRegistry meters;

    PagedFolderSync(Cursors cursors, MessageDelivery delivery, ParkedMessages parked, SyncProperties properties,
            MeterRegistry meters) {
        this.cursors = cursors;
        this.delivery = delivery;
        this.parked = parked;
        this.properties = properties;
        this.meters = meters;
    }

    /**
     * A folder of one server, as the page loop sees it.
     *
     * @param server the server's name, for logs
     * @param pages the changes after a position (null: from the folder's beginning)
     * @param lostPosition whether a failure says the server no longer accepts the position
     * @param mime writes a message's MIME content
     * @param goneMessage whether a failure says the message is gone
     * @param marker Creatio's {@code MarkEmailsAsSynchronized}: puts a category on a message
     * @param reportsChanges whether pages report changed messages as well as new ones
     * @param exchangeItemIds whether its messages' ids are EWS item ids, which Creatio's legacy
     *        {@code NewEmail} callback carries
     */
    public record Folder(String id, String server, Pages pages, Predicate<Exception> lostPosition, Mime mime,
            Predicate<Exception> goneMessage, Marker marker, boolean reportsChanges, boolean exchangeItemIds) {

        Page next(String position) throws Exception {
            return pages.next(position);
        }

        boolean positionLost(Exception failure) {
            return lostPosition.test(failure);
        }

        void fetch(String messageId, OutputStream out) throws Exception {
            mime.write(messageId, out);
        }

        boolean gone(Exception failure) {
            return goneMessage.test(failure);
        }

        void markSynchronized(String messageId) throws Exception {
            marker.mark(messageId);
        }
    }

    public interface Pages {
        Page next(String position) throws Exception;
    }

    public interface Mime {
        void write(String messageId, OutputStream out) throws Exception;
    }

    public interface Marker {
        void mark(String messageId) throws Exception;
    }

    /**
     * A message a page reports.
     *
     * @param internetMessageId its Message-ID header where the page tells it, else null
     */
    public record Message(String id, Instant receivedAt, String internetMessageId) {

        public Message(String id, Instant receivedAt) {
            this(id, receivedAt, null);
        }
    }

    /**
     * @param messages the messages created (or, where the server says so, changed), oldest first
     * @param next the position to ask from next
     * @param more whether the folder has more changes than this page held
     */
    public record Page(List<Message> messages, String next, boolean more) {
    }

    /**
     * Delivers the folder's new messages, whole pages at a time, until about {@code limit} were delivered.
     *
     * @param seenAt when the server announced new mail, or null for a catch-up
     * @return whether more changes wait in the folder
     */
    public boolean sync(RegisteredMailbox mailbox, Folder folder, int limit, Instant seenAt) throws Exception {
        SyncCursor cursor = cursors.find(mailbox.id(), folder.id())
                .orElseGet(() -> SyncCursor.fromFolderStart(registrationSecond(mailbox), null));
        int delivered = 0;
        while (true) {
            Page page;
            try {
                page = folder.next(cursor.syncState());
            } catch (Exception e) {
                if (!folder.positionLost(e) || cursor.syncState() == null) {
                    throw e;
                }
                cursor = restart(mailbox, folder, cursor);
                continue;
            }
            boolean pageRecheck = cursor.recheckUpTo() != 0 || cursor.skipBefore() != null;
            Instant lastBeforePage = cursor.lastDeliveredAt();
            for (Message message : page.messages()) {
                if (cursor.skipBefore() != null && message.receivedAt() != null
                        && message.receivedAt().isBefore(cursor.skipBefore())) {
                    continue;
                }
                boolean recheck = pageRecheck || folder.reportsChanges() && (lastBeforePage == null
                        || message.receivedAt() == null || !message.receivedAt().isAfter(lastBeforePage));
                if (recheck && message.internetMessageId() != null
                        && delivery.delivered(mailbox, message.internetMessageId())) {
                    // A delivered message that changed (read, flagged, categorised): not downloaded again.
                    continue;
                }
                if (cursor.recheckUpTo() == 0) {
                    // One write per page, not per message: the position only moves when the page is done.
                    cursor = cursor.pageUnderWay();
                    cursors.save(mailbox.id(), folder.id(), cursor);
                }
                cursor = deliver(mailbox, folder, message, cursor, recheck, seenAt);
                delivered++;
            }
            cursor = cursor.pageDone(page.next(), page.more());
            cursors.save(mailbox.id(), folder.id(), cursor);
            if (!page.more()) {
                if (delivered > 0) {
                    log.info("Mailbox {} folder {}: delivered {} message(s) from {}", mailbox.id(), folder.id(),
                            delivered, folder.server());
                }
                return false;
            }
            if (delivered >= limit) {
                return true;
            }
        }
    }

    /**
     * Delivers one message (or parks it, at Creatio's last refusal); returns the cursor after it, saved
     * with the page (a refusal is saved at once, so that refusals count across jobs).
     */
    private SyncCursor deliver(RegisteredMailbox mailbox, Folder folder, Message message, SyncCursor cursor,
            boolean recheck, Instant seenAt) throws Exception {
        long key = itemKey(message.id());
        try {
            deliverMessage(mailbox, folder, message.id(), message.receivedAt(), recheck, seenAt);
        } catch (CreatioCallFailedException e) {
            if (!MessageDelivery.refusedByCreatio(e)) {
                throw e;
            }
            SyncCursor counted = cursor.rejected(key);
            if (counted.rejections() < properties.maxRejections()) {
                cursors.save(mailbox.id(), folder.id(), counted);
                throw e;
            }
            park(mailbox, folder, message.id(), key, e);
        } catch (Exception e) {
            if (!folder.gone(e)) {
                throw e;
            }
            log.debug("Mailbox {}: message {} was deleted before it could be read", mailbox.id(), key);
        }
        return cursor.deliveredInPage(message.receivedAt());
    }

    /**
     * Delivers one message found outside the page loop (a history import's); one deleted meanwhile is
     * skipped.
     */
    void deliverFound(RegisteredMailbox mailbox, Folder folder, Message message) throws Exception {
        String messageId = message.id();
        try {
            deliverMessage(mailbox, folder, messageId, message.receivedAt(), false, null);
        } catch (CreatioCallFailedException e) {
            throw e;
        } catch (Exception e) {
            if (!folder.gone(e)) {
                throw e;
            }
            log.debug("Mailbox {}: message {} was deleted before it could be read", mailbox.id(), itemKey(messageId));
        }
    }

    /**
     * Fetches the message's MIME content to a spool file and delivers it; with
     * {@code MarkEmailsAsSynchronized}, categorises it afterwards.
     */
    private void deliverMessage(RegisteredMailbox mailbox, Folder folder, String messageId, Instant receivedAt,
            boolean recheck, Instant seenAt) throws Exception {
        boolean posted;
        if (folder.exchangeItemIds() && delivery.announcesNewEmail(mailbox)) {
            // Creatio's legacy flow: it is told the item's id and loads the item itself.
            delivery.announceNewEmail(mailbox, messageId);
            posted = true;
        } else {
            Path raw = delivery.spool();
            try {
                try (OutputStream out = Files.newOutputStream(raw)) {
                    folder.fetch(messageId, out);
                }
                posted = delivery.deliverSpooled(mailbox, raw, receivedAt, seenAt, recheck);
            } finally {
                MessageDelivery.discard(raw);
            }
        }
        if (!posted) {
            log.info("Mailbox {}: message {} was delivered before; skipped", mailbox.id(), itemKey(messageId));
        }
        if (mailbox.credentials().marksEmailsAsSynchronized()) {
            try {
                folder.markSynchronized(messageId);
            } catch (Exception e) {
                // Creatio already has the email, so a failure here is only logged.
                log.warn("Mailbox {}: could not mark message {} as synchronised: {}", mailbox.id(),
                        itemKey(messageId), e.getMessage());
            }
        }
    }

    /** The server lost the folder's position: a pass from the beginning, after the last delivery. */
    private SyncCursor restart(RegisteredMailbox mailbox, Folder folder, SyncCursor lost) {
        Instant since = lost.lastDeliveredAt() != null ? lost.lastDeliveredAt() : registrationSecond(mailbox);
        SyncCursor restarted = SyncCursor.fromFolderStart(since, lost.lastDeliveredAt());
        meters.counter("email.listener.folders.resynchronised").increment();
        log.warn("Mailbox {} folder {}: {} no longer accepts the folder's sync position; resynchronising from {}",
                mailbox.id(), folder.id(), folder.server(), since);
        cursors.save(mailbox.id(), folder.id(), restarted);
        return restarted;
    }

    private void park(RegisteredMailbox mailbox, Folder folder, String messageId, long key,
            CreatioCallFailedException refusal) {
        parked.park(new ParkedMessage(mailbox.id(), folder.id(), 0, key, "", "", refusal.getMessage(), Instant.now(),
                messageId));
        meters.counter("email.listener.messages.parked").increment();
        log.warn("Mailbox {} folder {}: Creatio refused message {} {} times; parked it and moving on: {}",
                mailbox.id(), folder.id(), key, properties.maxRejections(), refusal.getMessage());
    }

    /** Delivers a parked message again, as an operator asked. Done, or gone, it is no longer parked. */
    public void redeliver(RegisteredMailbox mailbox, Folder folder, long key) throws Exception {
        ParkedMessage message = parked.find(mailbox.id(), folder.id(), key).orElse(null);
        if (message == null || message.itemId() == null) {
            return;
        }
        try {
            deliverMessage(mailbox, folder, message.itemId(), null, false, null);
            log.info("Mailbox {} folder {}: parked message {} delivered again", mailbox.id(), folder.id(), key);
        } catch (CreatioCallFailedException e) {
            throw e;
        } catch (Exception e) {
            if (!folder.gone(e)) {
                throw e;
            }
            log.warn("Mailbox {} folder {}: parked message {} is no longer there", mailbox.id(), folder.id(), key);
        }
        parked.remove(mailbox.id(), folder.id(), key);
    }

    /**
     * Where new mail starts: servers keep the receive time to the second, so the registration's
     * second belongs to the new mail, and a history import stops before it (nothing in both, nothing
     * in neither).
     */
    static Instant registrationSecond(RegisteredMailbox mailbox) {
        return mailbox.registeredAt().truncatedTo(ChronoUnit.SECONDS);
    }

    /**
     * A positive number that names a message where a UID would name an IMAP one (cursor rejections,
     * parked messages, logs): Exchange and Graph ids are long and not for logs.
     */
    static long itemKey(String messageId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(messageId.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest).getLong() & Long.MAX_VALUE;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
