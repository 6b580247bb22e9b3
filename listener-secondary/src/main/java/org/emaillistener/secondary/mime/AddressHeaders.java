package org.emaillistener.secondary.mime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimePart;

/**
 * Address headers in the form Creatio shows them: {@code Name <addr>} when there is a display
 * name, else the bare address.
 */
final class AddressHeaders {

    private AddressHeaders() {
    }

    /** The author from {@code From}, else from {@code Sender}; "" if neither names anybody. */
    static String sender(MimePart message) {
        for (String header : List.of("From", "Sender")) {
            List<String> addresses = list(message, header);
            if (!addresses.isEmpty()) {
                return addresses.getFirst();
            }
        }
        return "";
    }

    /**
     * Every address of every occurrence of the header. A header that does not parse as addresses is
     * split on commas instead, so a recipient is shown rather than lost.
     */
    static List<String> list(MimePart message, String header) {
        String value;
        try {
            value = HeaderValues.unfold(message.getHeader(header, ","));
        } catch (MessagingException | RuntimeException e) {
            return List.of();
        }
        if (value.isEmpty()) {
            return List.of();
        }
        try {
            List<String> formatted = new ArrayList<>();
            for (InternetAddress address : InternetAddress.parseHeader(value, false)) {
                addFormatted(address, formatted);
            }
            return formatted;
        } catch (AddressException | RuntimeException e) {
            return Arrays.stream(value.split(","))
                    .map(HeaderValues::decodeWords)
                    .filter(text -> !text.isEmpty())
                    .toList();
        }
    }

    private static void addFormatted(InternetAddress address, List<String> formatted) {
        if (address.isGroup()) {
            // A group such as "undisclosed-recipients:;" names its members, often none, not a mailbox.
            try {
                for (InternetAddress member : address.getGroup(false)) {
                    addFormatted(member, formatted);
                }
            } catch (AddressException e) {
                formatted.add(HeaderValues.decodeWords(address.getAddress()));
            }
            return;
        }
        String mailbox = address.getAddress() == null ? "" : address.getAddress().strip();
        String name = address.getPersonal() == null ? "" : HeaderValues.decodeWords(address.getPersonal());
        if (mailbox.isEmpty()) {
            if (!name.isEmpty()) {
                formatted.add(name);
            }
        } else {
            formatted.add(name.isEmpty() ? mailbox : name + " <" + mailbox + ">");
        }
    }
}
