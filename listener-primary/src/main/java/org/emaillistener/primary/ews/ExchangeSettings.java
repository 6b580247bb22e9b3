package org.emaillistener.primary.ews;

import static org.emaillistener.primary.mailbox.MailboxSettings.notBlank;
import static org.emaillistener.primary.mailbox.MailboxSettings.require;

import java.net.URI;
import java.time.Instant;

import org.emaillistener.common.creatio.DotNetTicks;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.exchange.ExchangeProperties;
import org.emaillistener.common.mail.MailServerAccess;
import org.emaillistener.common.mail.MailServerDestinations;
import org.emaillistener.common.route.MailProtocol;
import org.emaillistener.primary.mailbox.InvalidSettingsException;
import org.emaillistener.primary.mailbox.MailboxSettings;
import org.springframework.stereotype.Component;

/**
 * An Exchange mailbox's settings: the EWS address, or with autodiscover where to start from; the EWS
 * server is one the operator allows. A history import's filter is the UTC date to load from in .NET
 * ticks. Microsoft Graph reads Exchange Online mailboxes, whose settings Creatio sends the same way,
 * so the shape of the settings and the filter are read here for it too.
 */
@Component
public class ExchangeSettings implements MailboxSettings {

    private final ExchangeProperties exchange;
    private final MailServerDestinations mailServers;

    ExchangeSettings(ExchangeProperties exchange, MailServerDestinations mailServers) {
        this.exchange = exchange;
        this.mailServers = mailServers;
    }

    @Override
    public MailProtocol protocol() {
        return MailProtocol.EWS;
    }

    @Override
    public void checkServer(SynchronizationCredentials mailbox) {
        checkExchangeServer(mailbox, exchange);
        if (!mailbox.IsAutodiscover()) {
            String url = mailbox.ServiceUrl().trim();
            String host;
            try {
                host = MailServerAccess.host(url.contains("://") ? url : url.split("/", 2)[0]);
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingsException("ServiceUrl is not a URL");
            }
            MailboxSettings.requireAllowed(mailServers, host);
        }
    }

    @Override
    public String historyFilter(String filters) {
        return loadFromTicks(filters);
    }

    /**
     * The Exchange server as Creatio names it: the EWS address, or with autodiscover where to start
     * from (an autodiscover URL, a domain, or none: the mailbox's address tells). {@code Port} is
     * always 0 for Exchange.
     */
    public static void checkExchangeServer(SynchronizationCredentials mailbox, ExchangeProperties exchange) {
        if (mailbox.IsAutodiscover()) {
            require(notBlank(mailbox.ServiceUrl()) || notBlank(mailbox.SenderEmailAddress())
                    || notBlank(mailbox.UserName()),
                    "ServiceUrl or SenderEmailAddress is required to autodiscover the Exchange server");
        } else {
            require(notBlank(mailbox.ServiceUrl()), "ServiceUrl is required (the Exchange server's EWS address)");
            String url = mailbox.ServiceUrl().trim();
            require(!url.contains("://") || url.regionMatches(true, 0, "https://", 0, 8)
                    || url.regionMatches(true, 0, "http://", 0, 7),
                    "ServiceUrl must be an http(s) EWS address or a host name");
        }
        String url = mailbox.ServiceUrl() == null ? "" : mailbox.ServiceUrl().trim();
        if (url.regionMatches(true, 0, "http://", 0, 7)) {
            String host;
            try {
                host = URI.create(url).getHost();
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingsException("ServiceUrl is not a URL");
            }
            require(host != null && exchange.plaintextAllowed(host), "ServiceUrl http:// would send the login in "
                    + "clear text: use https, or the listener's administrator allows the host "
                    + "(listener.exchange.plaintext-hosts)");
        }
    }

    /**
     * A send request's Exchange server: the EWS address unless autodiscovered, and the token with
     * OAuth. Graph sends from Exchange Online mailboxes, whose settings Creatio sends the same way.
     */
    public static void checkOutgoingServer(SynchronizationCredentials server) {
        require(notBlank(server.ServiceUrl()) || server.IsAutodiscover(),
                "ServiceUrl is required (the Exchange server's EWS address)");
        require(!server.UseOAuth() || notBlank(server.AccessToken()), "AccessToken is required with UseOAuth");
    }

    /**
     * Exchange's filter: the UTC date to load from, in .NET ticks (e.g. {@code 638369856000000000} for
     * 2023-12-01), kept as the canonical decimal string.
     */
    public static String loadFromTicks(String filters) {
        if (filters == null || filters.isBlank()) {
            throw new InvalidSettingsException("Filters is required: the load-from date in .NET ticks (UTC)");
        }
        try {
            long ticks = Long.parseLong(filters.trim());
            if (ticks < 0 || ticks > DotNetTicks.of(Instant.parse("9999-12-31T23:59:59Z"))) {
                throw new NumberFormatException();
            }
            return Long.toString(ticks);
        } catch (NumberFormatException e) {
            throw new InvalidSettingsException("Filters must be the load-from date in .NET ticks (UTC) for an "
                    + "Exchange mailbox, e.g. 638369856000000000");
        }
    }
}
