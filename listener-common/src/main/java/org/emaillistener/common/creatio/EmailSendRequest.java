package org.emaillistener.common.creatio;

import java.util.List;

/**
 * The body of {@code /apiv2/email/send}, in ordinary quoted JSON. Creatio puts the attachments
 * inside {@code Email.Attachments} and sends the top-level {@code Attachments} as null.
 * {@code Credentials} are the outgoing (SMTP) server's: {@code ServiceUrl}, {@code Port},
 * {@code UseSsl} and {@code SecureOption} describe the SMTP server, and {@code Id} is the mailbox.
 */
public record EmailSendRequest(Email Email, List<EmailAttachment> Attachments, SynchronizationCredentials Credentials) {

    public EmailSendRequest {
        Attachments = Attachments == null ? List.of() : List.copyOf(Attachments);
    }
}
