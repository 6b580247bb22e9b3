package org.emaillistener.primary.api;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.emaillistener.common.creatio.Email;
import org.emaillistener.common.creatio.EmailSendRequest;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.route.MailRoutes;
import org.emaillistener.common.route.PerProtocol;
import org.emaillistener.primary.mailbox.InvalidSettingsException;
import org.emaillistener.primary.send.InvalidEmailException;
import org.emaillistener.primary.send.MailSender;
import org.emaillistener.primary.send.MimeComposer;
import org.emaillistener.primary.send.OutgoingMessage;
import org.emaillistener.primary.send.UnsendableEmailException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /apiv2/email/send}: Creatio hands over one email and the mailbox's outgoing (SMTP)
 * server. Creatio treats an empty answer as success and shows a non-empty one to the user as the
 * send error; that is our reading of its client (docs/creatio-protocol.md, "Endpoints the listener
 * serves"), so a failure to send is answered with HTTP 200 and the reason as plain text. A request
 * that is not a sendable email at all is answered with HTTP 400 and a JSON body, like every other
 * bad request. The mailbox's route sends
 * it ({@link MailSender}), as it receives the mailbox's mail.
 */
@RestController
class EmailSendController {

    private static final MediaType TEXT_PLAIN_UTF8 = new MediaType(MediaType.TEXT_PLAIN, StandardCharsets.UTF_8);

    private final MimeComposer composer;
    private final MailRoutes routes;
    private final PerProtocol<MailSender> senders;

    public EmailSendController(MimeComposer composer, MailRoutes routes, List<MailSender> senders) {
        this.composer = composer;
        this.routes = routes;
        this.senders = PerProtocol.from("Sending", senders);
    }

    @PostMapping("/apiv2/email/send")
    public ResponseEntity<String> send(@RequestBody EmailSendRequest request) {
        Email email = emailOf(request);
        SynchronizationCredentials server = serverOf(request);
        MailSender sender = senders.of(routes.of(server));
        try {
            sender.checkServer(server);
        } catch (InvalidSettingsException e) {
            throw new BadRequestException("Credentials." + e.getMessage());
        }
        try {
            OutgoingMessage message = composer.compose(email, server.SenderEmailAddress());
            sender.send(message, server);
        } catch (InvalidEmailException e) {
            throw new BadRequestException(e.getMessage());
        } catch (UnsendableEmailException e) {
            return ResponseEntity.ok().contentType(TEXT_PLAIN_UTF8).body(e.getMessage());
        }
        return ResponseEntity.ok().build();
    }

    /**
     * The email, with the request's top-level attachments when it has none of its own: Creatio puts
     * them in {@code Email.Attachments} and sends the top-level list as null, but either is read.
     */
    private static Email emailOf(EmailSendRequest request) {
        Email email = request.Email();
        if (email == null) {
            throw new BadRequestException("Email is required (the email to send)");
        }
        if (!email.Attachments().isEmpty() || request.Attachments().isEmpty()) {
            return email;
        }
        return email.withAttachments(request.Attachments());
    }

    /**
     * The outgoing server's settings: an SMTP server, or for an Exchange mailbox ({@code ServerTypeId})
     * its EWS settings, as its route's sender checks them. Messages name the field by its wire name
     * and never echo a secret.
     */
    private static SynchronizationCredentials serverOf(EmailSendRequest request) {
        SynchronizationCredentials server = request.Credentials();
        if (server == null) {
            throw new BadRequestException("Credentials is required (the mailbox's outgoing SMTP server)");
        }
        CredentialsValidation.printable(server, "Credentials.");
        return server;
    }
}
