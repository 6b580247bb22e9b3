package org.emaillistener.primary.imap;

import static org.emaillistener.primary.mailbox.MailboxSettings.notBlank;
import static org.emaillistener.primary.mailbox.MailboxSettings.require;

import java.util.regex.Pattern;

import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.mail.MailServerAccess;
import org.emaillistener.common.mail.MailServerDestinations;
import org.emaillistener.common.route.MailProtocol;
import org.emaillistener.primary.mailbox.InvalidSettingsException;
import org.emaillistener.primary.mailbox.MailboxSettings;
import org.springframework.stereotype.Component;

/**
 * An IMAP mailbox's settings: the server's host, one the operator allows, its port and
 * {@code SecureOption}; a history import's filter is an IMAP SEARCH expression built by Creatio,
 * e.g. {@code UNDRAFT UNDELETED SENTSINCE 01-Nov-2023}.
 */
@Component
class ImapSettings implements MailboxSettings {

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._:\\[\\]-]{1,253}");
    private static final int MAX_FILTER_LENGTH = 2000;

    private final MailServerDestinations mailServers;

    ImapSettings(MailServerDestinations mailServers) {
        this.mailServers = mailServers;
    }

    @Override
    public MailProtocol protocol() {
        return MailProtocol.IMAP;
    }

    @Override
    public void checkServer(SynchronizationCredentials mailbox) {
        require(notBlank(mailbox.ServiceUrl()), "ServiceUrl is required (the IMAP server's host)");
        require(isHost(mailbox.ServiceUrl()), "ServiceUrl must be the mail server's host name or address");
        MailboxSettings.requireAllowed(mailServers, MailServerAccess.host(mailbox.ServiceUrl()));
        require(mailbox.Port() > 0 && mailbox.Port() <= 65535, "Port must be between 1 and 65535");
        require(mailbox.SecureOption() >= 0 && mailbox.SecureOption() <= 3,
                "SecureOption must be 0 (None), 1 (Auto), 2 (Ssl) or 3 (StartTls)");
    }

    /**
     * The filter goes to the server verbatim, so it may hold only printable ASCII and no literal
     * ({@code {n}}): nothing that could end the command and start another.
     */
    @Override
    public String historyFilter(String filters) {
        if (filters == null || filters.isBlank()) {
            throw new InvalidSettingsException("Filters is required: an IMAP SEARCH expression");
        }
        String filter = filters.trim();
        if (filter.length() > MAX_FILTER_LENGTH) {
            throw new InvalidSettingsException("Filters is longer than " + MAX_FILTER_LENGTH + " characters");
        }
        if (!filter.chars().allMatch(c -> c >= 0x20 && c < 0x7f) || filter.contains("{")) {
            throw new InvalidSettingsException(
                    "Filters must be an IMAP SEARCH expression of printable ASCII characters without literals");
        }
        return filter;
    }

    /** A host name or address, alone or in a URL: letters, digits, dots, dashes, colons and brackets. */
    private static boolean isHost(String serviceUrl) {
        String host;
        try {
            host = MailServerAccess.host(serviceUrl);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return host != null && HOST.matcher(host).matches();
    }
}
