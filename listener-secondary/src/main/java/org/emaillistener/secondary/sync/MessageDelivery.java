package org.emaillistener.secondary.sync;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.eclipse.angus.mail.imap.IMAPFolder;
import org.emaillistener.common.creatio.CreatioCallFailedException;
import org.emaillistener.common.creatio.CreatioClient;
import org.emaillistener.common.creatio.Email;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.secondary.mime.EmailConverter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import jakarta.mail.Flags;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;

/**
 * Hands one message of an open folder to Creatio: reads it whole, converts it to Creatio's Email,
 * POSTs it ({@code ProcessFullEmail}) and, when Creatio asked for {@code MarkEmailsAsSynchronized},
 * sets the keyword on it. New mail and history imports deliver through here alike.
 */
@Component
public class MessageDelivery {

    private static final Logger log = LoggerFactory.getLogger(MessageDelivery.class);

    private final EmailConverter converter;
    private final CreatioClient creatio;
    private final SyncProperties properties;
    private final Timer latency;

    public MessageDelivery(EmailConverter converter, CreatioClient creatio, SyncProperties properties,
            MeterRegistry meters) {
        this.converter = converter;
        this.creatio = creatio;
        this.properties = properties;
        this.latency = Timer.builder("email.listener.delivery.latency")
                .description("From the server's new-mail event to Creatio's 2xx for the message")
                .publishPercentileHistogram()
                .register(meters);
    }

    /**
     * Returns only when Creatio answered 2xx.
     *
     * @param seenAt when the server announced the mail, for the latency metric; null for mail that was
     *        not announced (catch-up, history)
     */
    public void deliver(RegisteredMailbox mailbox, IMAPFolder folder, Message message, long uid, Instant seenAt)
            throws MessagingException, CreatioCallFailedException {
        Instant receivedAt = message.getReceivedDate() == null ? null : message.getReceivedDate().toInstant();
        Email email = converter.convert(rawBytes(message), receivedAt);
        creatio.deliver(mailbox.credentials(), List.of(email));
        if (seenAt != null) {
            latency.record(Duration.between(seenAt, Instant.now()));
        }
        if (mailbox.credentials().marksEmailsAsSynchronized()) {
            markSynchronized(mailbox, folder, message, uid);
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
