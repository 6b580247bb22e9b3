package org.emaillistener.primary.send;

import java.util.List;

import jakarta.mail.Address;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/**
 * A composed email ready for SMTP.
 *
 * @param mime the message as it goes over the wire, without a Bcc header
 * @param recipients the envelope recipients: To, Cc and Bcc, each once
 */
public record OutgoingMessage(MimeMessage mime, List<InternetAddress> recipients) {

    public OutgoingMessage {
        recipients = List.copyOf(recipients);
    }

    Address[] envelope() {
        return recipients.toArray(Address[]::new);
    }
}
