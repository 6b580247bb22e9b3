package org.emaillistener.secondary.imap;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import org.eclipse.angus.mail.imap.IMAPFolder;
import org.emaillistener.common.creatio.CreatioCallFailedException;
import org.emaillistener.common.cursor.Cursors;
import org.emaillistener.common.cursor.DeliveredMessages;
import org.emaillistener.common.cursor.SyncCursor;
import org.emaillistener.common.imap.ImapConnections;
import org.emaillistener.common.imap.NewMailBoundary;
import org.emaillistener.common.retry.Backoff;
import org.emaillistener.common.parking.ParkedMessage;
import org.emaillistener.common.parking.ParkedMessages;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.common.route.MailProtocol;
import org.emaillistener.secondary.sync.FolderSync;
import org.emaillistener.secondary.sync.MessageDelivery;
import org.emaillistener.secondary.sync.SyncProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.MeterRegistry;

import jakarta.mail.FetchProfile;
import jakarta.mail.Message;
import jakarta.mail.MessageRemovedException;
import jakarta.mail.MessagingException;
import jakarta.mail.UIDFolder;

/** Delivers the new mail of one IMAP folder to Creatio, UID by UID above the folder's cursor. */
@Component
class ImapFolderSync implements FolderSync {

    private static final Logger log = LoggerFactory.getLogger(ImapFolderSync.class);

    private final ImapConnections connections;
    private final Cursors cursors;
    private final MessageDelivery delivery;
    private final ParkedMessages parked;
    private final DeliveredMessages delivered;
    private final SyncProperties properties;
    private final MeterRegistry meters;

    ImapFolderSync(ImapConnections connections, Cursors cursors, MessageDelivery delivery, ParkedMessages parked,
            DeliveredMessages delivered, SyncProperties properties, MeterRegistry meters) {
        this.connections = connections;
        this.cursors = cursors;
        this.delivery = delivery;
        this.parked = parked;
        this.delivered = delivered;
        this.properties = properties;
        this.meters = meters;
    }

    @Override
    public MailProtocol protocol() {
        return MailProtocol.IMAP;
    }

    /**
     * Delivers up to {@code limit} messages above the cursor, oldest UID first.
     *
     * @param seenAt when the server announced new mail, or null for a catch-up
     * @return whether more new messages wait in the folder
     */
    @Override
    public boolean sync(RegisteredMailbox mailbox, String folderName, int limit, Instant seenAt)
            throws MessagingException, CreatioCallFailedException {
        try (ImapConnections.Connection connection = connections.take(mailbox.id(), mailbox.credentials())) {
            IMAPFolder folder = connection.open(folderName, opening -> MessageDelivery.open(mailbox, opening));
            boolean more = deliverNew(mailbox, folder, limit, seenAt);
            connection.reusable();
            return more;
        }
    }

    private boolean deliverNew(RegisteredMailbox mailbox, IMAPFolder folder, int limit, Instant seenAt)
            throws MessagingException, CreatioCallFailedException {
        SyncCursor cursor = cursorFor(mailbox, folder);
        List<Message> fresh = messagesAbove(folder, cursor.lastUid());
        int delivered = 0;
        for (Message message : fresh) {
            if (delivered == limit) {
                return true;
            }
            cursor = deliver(mailbox, folder, message, cursor, seenAt);
            delivered++;
        }
        if (delivered > 0) {
            log.info("Mailbox {} folder {}: delivered {} message(s) up to UID {}", mailbox.id(), folder.getFullName(),
                    delivered, cursor.lastUid());
        }
        return false;
    }

    private SyncCursor deliver(RegisteredMailbox mailbox, IMAPFolder folder, Message message, SyncCursor cursor,
            Instant seenAt) throws MessagingException, CreatioCallFailedException {
        long uid = folder.getUID(message);
        try {
            if (uid <= cursor.recheckUpTo() && deliveredBefore(mailbox, message)) {
                log.info("Mailbox {} folder {}: UID {} was delivered before the folder was renumbered; skipped",
                        mailbox.id(), folder.getFullName(), uid);
            } else {
                delivery.deliver(mailbox, folder, message, uid, seenAt);
            }
        } catch (MessageRemovedException e) {
            log.debug("Mailbox {}: UID {} was expunged before it could be read", mailbox.id(), uid);
            return advance(mailbox.id(), folder, cursor.advancedTo(uid, null));
        } catch (CreatioCallFailedException e) {
            if (!MessageDelivery.refusedByCreatio(e)) {
                throw e;
            }
            SyncCursor counted = cursor.rejected(uid);
            if (counted.rejections() < properties.maxRejections()) {
                advance(mailbox.id(), folder, counted);
                throw e;
            }
            park(mailbox, folder, message, uid, e);
        }
        Instant receivedAt = message.getReceivedDate() == null ? null : message.getReceivedDate().toInstant();
        return advance(mailbox.id(), folder, cursor.advancedTo(uid, receivedAt));
    }

    /** Whether the message's Message-ID is among the mailbox's recently delivered ones. */
    private boolean deliveredBefore(RegisteredMailbox mailbox, Message message) throws MessagingException {
        String[] messageIds = message.getHeader("Message-ID");
        return messageIds != null && messageIds.length > 0
                && delivered.contains(mailbox.id(), messageIds[0].trim());
    }

    /** Sets the message aside, so that the mail behind it flows; an operator can deliver it again. */
    private void park(RegisteredMailbox mailbox, IMAPFolder folder, Message message, long uid,
            CreatioCallFailedException refusal) throws MessagingException {
        String[] messageIds = message.getHeader("Message-ID");
        parked.park(new ParkedMessage(mailbox.id(), folder.getFullName(), folder.getUIDValidity(), uid,
                messageIds == null ? "" : messageIds[0], message.getSubject(), refusal.getMessage(), Instant.now(),
                null));
        meters.counter("email.listener.messages.parked").increment();
        log.warn("Mailbox {} folder {}: Creatio refused UID {} {} times; parked it and moving on: {}", mailbox.id(),
                folder.getFullName(), uid, properties.maxRejections(), refusal.getMessage());
    }

    /**
     * Delivers a parked message again, as an operator asked; the cursor has long moved past it. Done,
     * or gone from the folder, it is no longer parked.
     */
    @Override
    public void redeliver(RegisteredMailbox mailbox, String folderName, long uid)
            throws MessagingException, CreatioCallFailedException {
        ParkedMessage message = parked.find(mailbox.id(), folderName, uid).orElse(null);
        if (message == null) {
            return;
        }
        try (ImapConnections.Connection connection = connections.take(mailbox.id(), mailbox.credentials())) {
            IMAPFolder folder = connection.open(folderName, opening -> MessageDelivery.open(mailbox, opening));
            Message found = folder.getUIDValidity() == message.uidValidity() ? folder.getMessageByUID(uid) : null;
            if (found == null) {
                log.warn("Mailbox {} folder {}: parked UID {} is no longer there", mailbox.id(), folderName, uid);
            } else {
                delivery.deliver(mailbox, folder, found, uid, null);
                log.info("Mailbox {} folder {}: parked UID {} delivered again", mailbox.id(), folderName, uid);
            }
            parked.remove(mailbox.id(), folderName, uid);
            connection.reusable();
        }
    }

    /**
     * Moves the cursor past a message Creatio accepted. Failing here would deliver the message again,
     * so a store that is briefly away (a Redis restart) is waited for, up to
     * {@code listener.sync.cursor-save-timeout}, before the job gives up.
     */
    private SyncCursor advance(UUID mailboxId, IMAPFolder folder, SyncCursor cursor) {
        long deadline = System.nanoTime() + properties.cursorSaveTimeout().toNanos();
        for (int attempt = 1;; attempt++) {
            try {
                cursors.save(mailboxId, folder.getFullName(), cursor);
                return cursor;
            } catch (RuntimeException e) {
                if (System.nanoTime() - deadline >= 0) {
                    throw e;
                }
                log.warn("Mailbox {} folder {}: saving the cursor at UID {} failed ({}); trying again", mailboxId,
                        folder.getFullName(), cursor.lastUid(), e.toString());
                try {
                    Thread.sleep(Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(2), attempt));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /**
     * The folder's cursor. A folder without one starts at the mailbox's registration; a folder whose
     * UIDVALIDITY changed (recreated, or renumbered by the server) starts again at the last mail
     * delivered from it, judged by date, and checks each message up to the folder's end against the
     * recently delivered Message-IDs: Creatio recognises a repeated MessageId, and nothing newer is
     * lost.
     */
    private SyncCursor cursorFor(RegisteredMailbox mailbox, IMAPFolder folder) throws MessagingException {
        String name = folder.getFullName();
        SyncCursor cursor = cursors.find(mailbox.id(), name).orElse(null);
        if (cursor == null) {
            return cursors.saveIfAbsent(mailbox.id(), name, NewMailBoundary.cursorFor(folder, mailbox.registeredAt()));
        }
        long uidValidity = folder.getUIDValidity();
        long uidNext = folder.getUIDNext();
        // UIDs only grow while UIDVALIDITY stays: a UIDNEXT at or below the cursor means the server
        // renumbered the folder without saying so (a restored or rebuilt mailbox); treat it alike.
        boolean renumbered = uidNext > 0 && uidNext <= cursor.lastUid();
        if (cursor.uidValidity() == uidValidity && !renumbered) {
            return cursor;
        }
        Instant since = cursor.lastDeliveredAt() != null ? cursor.lastDeliveredAt() : mailbox.registeredAt();
        SyncCursor restarted = NewMailBoundary.cursorFor(folder, since).recheckingUpTo(uidNext > 0 ? uidNext - 1
                : UIDFolder.MAXUID);
        meters.counter("email.listener.folders.resynchronised").increment();
        log.warn("Mailbox {} folder {}: UIDVALIDITY {} -> {}, UIDNEXT {} after delivered UID {}; resynchronising "
                + "from {}", mailbox.id(), name, cursor.uidValidity(), uidValidity, uidNext, cursor.lastUid(), since);
        cursors.save(mailbox.id(), name, restarted);
        return restarted;
    }

    /** {@code UID FETCH last+1:*} answers with the last message even when it is older: filter. */
    private static List<Message> messagesAbove(IMAPFolder folder, long lastUid) throws MessagingException {
        if (lastUid >= UIDFolder.MAXUID) {
            return List.of();
        }
        Message[] candidates = folder.getMessagesByUID(lastUid + 1, UIDFolder.MAXUID);
        FetchProfile profile = new FetchProfile();
        profile.add(UIDFolder.FetchProfileItem.UID);
        profile.add(IMAPFolder.FetchProfileItem.INTERNALDATE);
        folder.fetch(candidates, profile);
        return Arrays.stream(candidates)
                .filter(message -> message != null && uid(folder, message) > lastUid)
                .sorted(Comparator.comparingLong(message -> uid(folder, message)))
                .toList();
    }

    private static long uid(IMAPFolder folder, Message message) {
        try {
            return folder.getUID(message);
        } catch (MessagingException e) {
            return -1;
        }
    }
}
