package org.emaillistener.primary.smtp;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.imap.ImapConnector;
import org.emaillistener.common.state.MailboxFailure;
import org.emaillistener.common.mail.MailServerAccess;
import org.emaillistener.common.registry.MailboxRegistry;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.common.route.MailProtocol;
import org.emaillistener.common.route.MailRoutes;
import org.emaillistener.primary.send.OutgoingMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import jakarta.annotation.PreDestroy;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;

/**
 * Copies of sent email in the mailbox's Sent folder, which SMTP alone does not leave (except on
 * servers that file sent mail themselves, {@code listener.send.hosts-saving-sent-mail}). A send
 * request carries only the SMTP credentials, so the mailbox's IMAP credentials come from the
 * registry, and only for the mailbox the request proves to own: the same login name and the same
 * password (or OAuth token) as the registered mailbox. The API has no caller identity, so an address
 * or an id alone would let a stranger file forged "sent" mail in someone else's mailbox with the
 * stored password, from where it would reach Creatio as theirs. The copy is appended after the
 * answer to Creatio and never fails the send.
 */
@Component
class SentCopies {

    private static final Logger log = LoggerFactory.getLogger(SentCopies.class);
    /** Where servers without the {@code \Sent} special-use attribute keep sent mail, most common first. */
    private static final List<String> SENT_FOLDER_NAMES = List.of("Sent", "Sent Items", "Sent Messages", "INBOX.Sent",
            "INBOX/Sent");

    private final SendProperties properties;
    private final MailboxRegistry mailboxes;
    private final ImapConnector imap;
    private final MailRoutes routes;
    private final ExecutorService appends = Executors.newVirtualThreadPerTaskExecutor();

    SentCopies(SendProperties properties, MailboxRegistry mailboxes, ImapConnector imap, MailRoutes routes) {
        this.properties = properties;
        this.mailboxes = mailboxes;
        this.imap = imap;
        this.routes = routes;
    }

    /** Appends a copy of a message just sent through the SMTP server of {@code smtp}, unless there is no need. */
    void keep(OutgoingMessage message, SynchronizationCredentials smtp) {
        if (!properties.appendToSent() || properties.savesSentMailItself(MailServerAccess.host(smtp.ServiceUrl()))) {
            return;
        }
        Optional<RegisteredMailbox> mailbox = mailboxOf(smtp);
        if (mailbox.isEmpty()) {
            log.info("Mailbox {}: no registered IMAP mailbox to keep a copy of the sent email in", smtp.Id());
            return;
        }
        if (!sameOwner(smtp, mailbox.get().credentials())) {
            log.warn("Mailbox {}: the send request's login is not the registered mailbox's; no copy of the sent "
                    + "email is kept in it", mailbox.get().id());
            return;
        }
        appends.execute(() -> append(message, mailbox.get()));
    }

    /** The registered IMAP mailbox with the request's mailbox id, else the one with its address. */
    private Optional<RegisteredMailbox> mailboxOf(SynchronizationCredentials smtp) {
        Optional<RegisteredMailbox> byId = Optional.ofNullable(smtp.Id()).flatMap(mailboxes::find);
        if (byId.isPresent()) {
            return byId.filter(this::isImap);
        }
        String address = smtp.SenderEmailAddress();
        if (address == null || address.isBlank()) {
            return Optional.empty();
        }
        return mailboxes.ids().stream()
                .map(mailboxes::find)
                .flatMap(Optional::stream)
                .filter(this::isImap)
                .filter(registered -> address.strip().equalsIgnoreCase(registered.credentials().SenderEmailAddress()))
                .findFirst();
    }

    /** The same login name and the same secret, compared in constant time. */
    static boolean sameOwner(SynchronizationCredentials request, SynchronizationCredentials registered) {
        String secret = request.secret();
        String stored = registered.secret();
        if (secret == null || secret.isEmpty() || stored == null || request.UserName() == null
                || !request.UserName().strip().equalsIgnoreCase(registered.UserName() == null ? ""
                        : registered.UserName().strip())) {
            return false;
        }
        return MessageDigest.isEqual(secret.getBytes(StandardCharsets.UTF_8), stored.getBytes(StandardCharsets.UTF_8));
    }

    /** A mailbox the listener reads over IMAP, where a copy can be appended. */
    private boolean isImap(RegisteredMailbox mailbox) {
        return routes.of(mailbox.credentials()).is(MailProtocol.IMAP);
    }

    private void append(OutgoingMessage message, RegisteredMailbox mailbox) {
        try (IMAPStore store = imap.connect(mailbox.credentials())) {
            Optional<Folder> sent = sentFolder(store);
            if (sent.isEmpty()) {
                log.warn("Mailbox {}: no Sent folder (none marked \\Sent, none named {}); the sent email has no copy",
                        mailbox.id(), SENT_FOLDER_NAMES);
                return;
            }
            message.mime().setFlag(Flags.Flag.SEEN, true);
            sent.get().appendMessages(new Message[] { message.mime() });
            log.debug("Mailbox {}: kept a copy of the sent email in {}", mailbox.id(), sent.get().getFullName());
        } catch (MessagingException | RuntimeException e) {
            log.warn("Mailbox {}: keeping a copy of the sent email in the Sent folder failed: {}", mailbox.id(),
                    MailboxFailure.of(e).withoutSecret(mailbox.credentials().secret()).message());
        }
    }

    /** The folder marked {@code \Sent} (RFC 6154), else the first existing of the usual names. */
    static Optional<Folder> sentFolder(IMAPStore store) throws MessagingException {
        List<IMAPFolder> folders = Arrays.stream(store.getDefaultFolder().list("*"))
                .map(IMAPFolder.class::cast)
                .filter(SentCopies::holdsMessages)
                .toList();
        for (IMAPFolder folder : folders) {
            for (String attribute : folder.getAttributes()) {
                if (attribute.equalsIgnoreCase("\\Sent")) {
                    return Optional.of(folder);
                }
            }
        }
        for (String name : SENT_FOLDER_NAMES) {
            for (IMAPFolder folder : folders) {
                if (folder.getFullName().equalsIgnoreCase(name)) {
                    return Optional.of(folder);
                }
            }
        }
        return Optional.empty();
    }

    /** Not a mere level of the hierarchy ({@code \Noselect}): LIST told the folder's type. */
    private static boolean holdsMessages(IMAPFolder folder) {
        try {
            return (folder.getType() & Folder.HOLDS_MESSAGES) != 0;
        } catch (MessagingException e) {
            return false;
        }
    }

    /** Waits for the copies being appended, so that a graceful shutdown does not lose them. */
    @PreDestroy
    void stop() {
        appends.close();
    }
}
