package org.emaillistener.secondary.sync;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.emaillistener.common.creatio.CreatioCallFailedException;
import org.emaillistener.common.creatio.CreatioClient;
import org.emaillistener.common.creatio.Email;
import org.emaillistener.common.cursor.Cursors;
import org.emaillistener.common.cursor.SyncCursor;
import org.emaillistener.common.imap.ImapConnector;
import org.emaillistener.common.imap.NewMailBoundary;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.secondary.mime.EmailConverter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import jakarta.mail.FetchProfile;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessageRemovedException;
import jakarta.mail.MessagingException;
import jakarta.mail.UIDFolder;

/** Delivers the new mail of one IMAP folder to Creatio. */
@Component
public class FolderSync {

    private static final Logger log = LoggerFactory.getLogger(FolderSync.class);

    private final ImapConnector connector;
    private final Cursors cursors;
    private final EmailConverter converter;
    private final CreatioClient creatio;
    private final SyncProperties properties;

    public FolderSync(ImapConnector connector, Cursors cursors, EmailConverter converter, CreatioClient creatio,
            SyncProperties properties) {
        this.connector = connector;
        this.cursors = cursors;
        this.converter = converter;
        this.creatio = creatio;
        this.properties = properties;
    }

    /**
     * Delivers up to {@code limit} messages above the cursor, oldest UID first.
     *
     * @return whether more new messages wait in the folder
     */
    public boolean sync(RegisteredMailbox mailbox, String folderName, int limit)
            throws MessagingException, CreatioCallFailedException {
        IMAPStore store = connector.connect(mailbox.credentials());
        try {
            IMAPFolder folder = (IMAPFolder) store.getFolder(folderName);
            // Read-only unless flags are to be set; message bodies are fetched with BODY.PEEK either
            // way, so delivery never marks mail as read.
            folder.open(mailbox.credentials().marksEmailsAsSynchronized() ? Folder.READ_WRITE : Folder.READ_ONLY);
            SyncCursor cursor = cursorFor(mailbox, folder);
            List<Message> fresh = messagesAbove(folder, cursor.lastUid());
            int delivered = 0;
            for (Message message : fresh) {
                if (delivered == limit) {
                    return true;
                }
                cursor = deliver(mailbox, folder, message, cursor);
                delivered++;
            }
            if (delivered > 0) {
                log.info("Mailbox {} folder {}: delivered {} message(s) up to UID {}", mailbox.id(), folderName,
                        delivered, cursor.lastUid());
            }
            return false;
        } finally {
            store.close();
        }
    }

    private SyncCursor deliver(RegisteredMailbox mailbox, IMAPFolder folder, Message message, SyncCursor cursor)
            throws MessagingException, CreatioCallFailedException {
        long uid = folder.getUID(message);
        Instant receivedAt;
        byte[] raw;
        try {
            receivedAt = message.getReceivedDate() == null ? null : message.getReceivedDate().toInstant();
            raw = rawBytes(message);
        } catch (MessageRemovedException e) {
            log.debug("Mailbox {}: UID {} was expunged before it could be read", mailbox.id(), uid);
            return advance(mailbox.id(), folder, cursor.advancedTo(uid, null));
        }
        Email email = converter.convert(raw, receivedAt);
        creatio.deliver(mailbox.credentials(), List.of(email));
        SyncCursor advanced = advance(mailbox.id(), folder, cursor.advancedTo(uid, receivedAt));
        if (mailbox.credentials().marksEmailsAsSynchronized()) {
            markSynchronized(mailbox, folder, message, uid);
        }
        return advanced;
    }

    /**
     * Creatio's {@code MarkEmailsAsSynchronized}: a keyword on each delivered message, where the folder
     * lets clients create keywords. Creatio already has the email, so a failure here is only logged.
     */
    private void markSynchronized(RegisteredMailbox mailbox, IMAPFolder folder, Message message, long uid) {
        String keyword = properties.synchronizedKeyword();
        try {
            Flags permanent = folder.getPermanentFlags();
            if (permanent.contains(Flags.Flag.USER) || permanent.contains(keyword)) {
                message.setFlags(new Flags(keyword), true);
            }
        } catch (MessagingException | RuntimeException e) {
            log.warn("Mailbox {} folder {}: could not set keyword {} on UID {}: {}", mailbox.id(),
                    folder.getFullName(), keyword, uid, e.toString());
        }
    }

    private SyncCursor advance(UUID mailboxId, IMAPFolder folder, SyncCursor cursor) {
        cursors.save(mailboxId, folder.getFullName(), cursor);
        return cursor;
    }

    /**
     * The folder's cursor. A folder without one starts at the mailbox's registration; a folder whose
     * UIDVALIDITY changed (recreated, or renumbered by the server) starts again at the last mail
     * delivered from it, judged by date: Creatio recognises a repeated MessageId, and nothing newer is
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
        SyncCursor restarted = NewMailBoundary.cursorFor(folder, since);
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

    private static byte[] rawBytes(Message message) throws MessagingException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(message.getSize(), 1024));
        try {
            message.writeTo(out);
        } catch (IOException e) {
            throw new MessagingException("reading the message failed", e);
        }
        return out.toByteArray();
    }
}
