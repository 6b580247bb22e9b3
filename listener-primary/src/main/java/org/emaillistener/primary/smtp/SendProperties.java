package org.emaillistener.primary.smtp;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * What happens around a send.
 *
 * @param appendToSent keep a copy of every sent email in the mailbox's Sent folder over IMAP
 * @param hostsSavingSentMail SMTP hosts that file sent mail in the Sent folder themselves; no copy is
 *        appended for them, or the mailbox would show every email twice
 */
@ConfigurationProperties("listener.send")
public record SendProperties(
        @DefaultValue("true") boolean appendToSent,
        @DefaultValue({ "smtp.gmail.com", "smtp.office365.com", "smtp-mail.outlook.com" })
        List<String> hostsSavingSentMail) {

    public SendProperties {
        hostsSavingSentMail = hostsSavingSentMail == null ? List.of() : List.copyOf(hostsSavingSentMail);
    }

    public boolean savesSentMailItself(String smtpHost) {
        return hostsSavingSentMail.stream().anyMatch(host -> host.trim().equalsIgnoreCase(smtpHost));
    }
}
