package org.emaillistener.secondary.sync;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.eclipse.angus.mail.imap.IMAPFolder;
import org.emaillistener.common.creatio.CreatioCallFailedException;
import org.emaillistener.common.creatio.CreatioClient;
import org.emaillistener.common.cursor.DeliveredMessages;
import org.emaillistener.common.jobs.SyncJob;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.secondary.mime.ConvertedEmail;
import org.emaillistener.secondary.mime.EmailConverter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import jakarta.mail.Flags;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;

/**
 * Hands one message to Creatio: spools it to a file, converts it to Creatio's Email with the one
 * mapping every protocol shares, POSTs it ({@code ProcessFullEmail}) and, for an IMAP message when
 * Creatio asked for {@code MarkEmailsAsSynchronized}, sets the keyword on it. New mail and history
 * imports, IMAP and Exchange, deliver through here alike. The message and
 * the callback body go through files rather than the heap, so a 50 MB attachment costs disk, not
 * hundreds of MB of memory (message, decoded parts, Base64 text and JSON would each be held whole).
 */
@Component
public class MessageDelivery {

    private static final Logger log = LoggerFactory.getLogger(MessageDelivery.class);

    /**
     * Why the folder is being synced, bound by {@link MailboxSync} around each folder sync: a periodic
     * safety sync while Creatio was answering, or another reason.
     */
    static final ScopedValue<SyncJob.Reason> TRIGGER = ScopedValue.newInstance();
    /** Mail younger than this may be found by a safety sync just before its own event's job runs. */
    static final Duration SAFETY_SYNC_GRACE = Duration.ofSeconds(10);

    private final EmailConverter converter;
    private final CreatioClient creatio;
    private final SyncProperties properties;
    private final DeliveredMessages delivered;
    private final Timer latency;
    private final Counter foundBySafetySync;

    public MessageDelivery(EmailConverter converter, CreatioClient creatio, SyncProperties properties,
            DeliveredMessages delivered, MeterRegistry meters) {
        this.converter = converter;
        this.creatio = creatio;
        this.delivered = delivered;
        this.properties = properties;
        this.latency = Timer.builder("email.listener.delivery.latency")
                .description("From the server's new-mail event to Creatio's 2xx for the message")
                .publishPercentileHistogram()
                .register(meters);
        this.foundBySafetySync = Counter.builder("email.listener.mail.found.by.safety.sync")
                .description("Mail that only the periodic safety sync found, well after it arrived: an event "
                        + "that was missed. Stays at 0 in a healthy system")
                .register(meters);
    }

    /** Whether the mailbox's new mail is announced to Creatio's legacy {@code NewEmail} instead. */
    boolean announcesNewEmail(RegisteredMailbox mailbox) {
        return creatio.announcesNewEmail(mailbox.credentials());
    }

    /** {@code NewEmail} with one Exchange item's id; returns only when Creatio answered 2xx. */
    void announceNewEmail(RegisteredMailbox mailbox, String itemId) throws CreatioCallFailedException {
        creatio.announceNewEmail(mailbox.credentials(), List.of(itemId));
    }

    /**
     * Delivers one IMAP message; returns only when Creatio answered 2xx.
     *
     * @param seenAt when the server announced the mail, for the latency metric; null for mail that was
     *        not announced (catch-up, history)
     */
    public void deliver(RegisteredMailbox mailbox, IMAPFolder folder, Message message, long uid, Instant seenAt)
            throws MessagingException, CreatioCallFailedException {
        Instant receivedAt = message.getReceivedDate() == null ? null : message.getReceivedDate().toInstant();
        Path raw;
        try {
            raw = spool();
        } catch (IOException e) {
            throw new MessagingException("cannot create a file in " + properties.spoolPath() + " to spool the message",
                    e);
        }
        try {
            try (OutputStream out = Files.newOutputStream(raw)) {
                message.writeTo(out);
            }
            deliverSpooled(mailbox, raw, receivedAt, seenAt, false);
        } catch (IOException e) {
            throw new MessagingException("UID " + uid + " could not be spooled to or read from "
                    + properties.spoolPath(), e);
        } finally {
            discard(raw);
        }
        if (mailbox.credentials().marksEmailsAsSynchronized()) {
            markSynchronized(mailbox, folder, message, uid);
        }
    }

    /**
     * Delivers a message already written to a spool file (any protocol's); returns only when Creatio
     * answered 2xx, or at once when {@code unlessDelivered} and the message's Message-ID is among the
     * mailbox's recently delivered ones.
     *
     * @return whether it was delivered now
     */
    public boolean deliverSpooled(RegisteredMailbox mailbox, Path raw, Instant receivedAt, Instant seenAt,
            boolean unlessDelivered) throws IOException, CreatioCallFailedException {
        try (ConvertedEmail email = converter.convert(raw, receivedAt, properties.maxAttachmentSize().toBytes())) {
            if (unlessDelivered && delivered.contains(mailbox.id(), email.email().MessageId())) {
                return false;
            }
            creatio.deliver(mailbox.credentials(), email.email(), email.attachments(), properties.spoolPath());
            recordDelivered(mailbox, email.email().MessageId());
        }
        if (seenAt != null) {
            latency.record(Duration.between(seenAt, Instant.now()));
        }
        if (TRIGGER.isBound() && TRIGGER.get() == SyncJob.Reason.PERIODIC && receivedAt != null
                && receivedAt.isBefore(Instant.now().minus(SAFETY_SYNC_GRACE))) {
            foundBySafetySync.increment();
            log.warn("Mailbox {}: mail received at {} was found only by the periodic safety sync", mailbox.id(),
                    receivedAt);
        }
        return true;
    }

    /** Whether this Message-ID is among the mailbox's recently delivered ones. */
    public boolean delivered(RegisteredMailbox mailbox, String messageId) {
        return delivered.contains(mailbox.id(), messageId);
    }

    /** A new, empty spool file; {@link #discard} it when done. */
    public Path spool() throws IOException {
        return Files.createTempFile(properties.spoolPath(), "message-", ".eml");
    }

    /** Remembered to recognise the message if its folder is ever renumbered; a failure here only costs that. */
    private void recordDelivered(RegisteredMailbox mailbox, String messageId) {
        try {
            delivered.record(mailbox.id(), messageId);
        } catch (RuntimeException e) {
            log.warn("Mailbox {}: recording delivered message {} failed: {}", mailbox.id(), messageId, e.toString());
        }
    }

    /**
     * Opens a folder for delivery: read-only unless flags are to be set. Bodies are fetched with
     * BODY.PEEK either way, so delivery never marks mail as read.
     */
    public static void open(RegisteredMailbox mailbox, IMAPFolder folder) throws MessagingException {
        folder.open(mailbox.credentials().marksEmailsAsSynchronized() ? IMAPFolder.READ_WRITE : IMAPFolder.READ_ONLY);
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

    /**
     * Creatio answered, and refused this message: its own exceptions come back as 400, so a retry may
     * still succeed, but not forever. A timeout or throttling is no refusal.
     */
    public static boolean refusedByCreatio(CreatioCallFailedException e) {
        return e.status() >= 400 && e.status() < 500 && e.status() != 408 && e.status() != 429;
    }

    public static void discard(Path raw) {
        try {
            Files.deleteIfExists(raw);
        } catch (IOException e) {
            log.warn("Spooled message {} could not be deleted: {}", raw, e.toString());
        }
    }
}
