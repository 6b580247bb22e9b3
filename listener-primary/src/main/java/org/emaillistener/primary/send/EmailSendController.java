package org.emaillistener.primary.send;

import java.nio.charset.StandardCharsets;

import org.emaillistener.common.creatio.Email;
import org.emaillistener.common.creatio.EmailSendRequest;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.graph.GraphConnector;
import org.emaillistener.common.mail.MailServerAccess;
import org.emaillistener.primary.api.BadRequestException;
import org.emaillistener.primary.api.CredentialsValidation;
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
 * bad request.
 */
@RestController
public class EmailSendController {

    private static final MediaType TEXT_PLAIN_UTF8 = new MediaType(MediaType.TEXT_PLAIN, StandardCharsets.UTF_8);

    private final MimeComposer composer;
    private final SmtpSender sender;
    private final ExchangeSender exchangeSender;
    private final GraphSender graphSender;
    private final GraphConnector graph;
    private final SentCopies sentCopies;

    public EmailSendController(MimeComposer composer, SmtpSender sender, ExchangeSender exchangeSender,
            GraphSender graphSender, GraphConnector graph, SentCopies sentCopies) {
        this.composer = composer;
        this.sender = sender;
        this.exchangeSender = exchangeSender;
        this.graphSender = graphSender;
        this.graph = graph;
        this.sentCopies = sentCopies;
    }

    @PostMapping("/apiv2/email/send")
    public ResponseEntity<String> send(@RequestBody EmailSendRequest request) {
        Email email = emailOf(request);
        SynchronizationCredentials server = serverOf(request);
        boolean exchange = server.isExchange();
        OutgoingMessage message;
        try {
            message = composer.compose(email, server.SenderEmailAddress());
            if (exchange && graph.serves(server)) {
                // The same routing as receiving: an Exchange Online mailbox of a configured tenant.
                graphSender.send(message, server);
            } else if (exchange) {
                exchangeSender.send(message, server);
            } else {
                sender.send(message, server);
            }
        } catch (InvalidEmailException e) {
            throw new BadRequestException(e.getMessage());
        } catch (UnsendableEmailException e) {
            return ResponseEntity.ok().contentType(TEXT_PLAIN_UTF8).body(e.getMessage());
        }
        if (!exchange) {
            // Exchange filed its own copy in Sent Items (SendAndSaveCopy; Graph's sendMail likewise).
            sentCopies.keep(message, server);
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
     * its EWS settings. Messages name the field by its wire name and never echo a secret.
     */
    private static SynchronizationCredentials serverOf(EmailSendRequest request) {
        SynchronizationCredentials smtp = request.Credentials();
        if (smtp == null) {
            throw new BadRequestException("Credentials is required (the mailbox's outgoing SMTP server)");
        }
        CredentialsValidation.printable(smtp, "Credentials.");
        if (smtp.isExchange()) {
            if ((smtp.ServiceUrl() == null || smtp.ServiceUrl().isBlank()) && !smtp.IsAutodiscover()) {
                throw new BadRequestException("Credentials.ServiceUrl is required (the Exchange server's EWS address)");
            }
            if (smtp.UseOAuth() && (smtp.AccessToken() == null || smtp.AccessToken().isBlank())) {
                throw new BadRequestException("Credentials.AccessToken is required with UseOAuth");
            }
            return smtp;
        }
        String host;
        try {
            host = MailServerAccess.host(smtp.ServiceUrl());
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("Credentials.ServiceUrl is neither a host name nor a URL");
        }
        if (host.isEmpty()) {
            throw new BadRequestException("Credentials.ServiceUrl is required (the SMTP server's host)");
        }
        if (smtp.Port() <= 0 || smtp.Port() > 65535) {
            throw new BadRequestException("Credentials.Port must be between 1 and 65535");
        }
        if (smtp.SecureOption() < MailServerAccess.SECURE_NONE || smtp.SecureOption() > MailServerAccess.SECURE_STARTTLS) {
            throw new BadRequestException("Credentials.SecureOption must be 0 (None), 1 (Auto), 2 (Ssl) or 3 (StartTls)");
        }
        if (smtp.UseOAuth() && (smtp.AccessToken() == null || smtp.AccessToken().isBlank())) {
            throw new BadRequestException("Credentials.AccessToken is required with UseOAuth");
        }
        return smtp;
    }
}
