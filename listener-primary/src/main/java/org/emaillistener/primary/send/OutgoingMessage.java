package org.emaillistener.primary.send;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/**
 * A composed email ready to send.
 *
 * @param mime the message as it goes over the wire, without a Bcc header
 * @param recipients the envelope recipients: To, Cc and Bcc, each once
 */
public record OutgoingMessage(MimeMessage mime, List<InternetAddress> recipients) {

    public OutgoingMessage {
        recipients = List.copyOf(recipients);
    }

    public Address[] envelope() {
        return recipients.toArray(Address[]::new);
    }

    /** The envelope recipients that neither To nor Cc name, as composed (with their names). */
    public List<InternetAddress> blindCopies() throws MessagingException {
        Set<String> visible = new HashSet<>();
        for (Message.RecipientType type : List.of(Message.RecipientType.TO, Message.RecipientType.CC)) {
            Address[] addresses = mime.getRecipients(type);
            if (addresses != null) {
                for (Address address : addresses) {
                    visible.add(((InternetAddress) address).getAddress().toLowerCase(Locale.ROOT));
                }
            }
        }
        return recipients.stream()
                .filter(address -> !visible.contains(address.getAddress().toLowerCase(Locale.ROOT))).toList();
    }
}
