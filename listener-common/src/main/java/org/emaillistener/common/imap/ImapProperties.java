package org.emaillistener.common.imap;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the service talks IMAP.
 *
 * @param connectTimeout TCP connect (and TLS handshake) timeout
 * @param readTimeout how long one command may wait for the server when fetching mail
 * @param idleRenewInterval how often IDLE is ended and re-issued with a NOOP in between: well inside
 *        the 29 minutes after which servers may drop an idle client, and short enough for NAT
 * @param folderPollInterval how often folders that are watched without IDLE are checked for new mail
 * @param safetySyncInterval how often each subscription asks for a sync of its folders even without
 *        an IDLE event (spread out across mailboxes); zero turns it off
 * @param reconnectInitialDelay the wait before the first reconnect after a failure
 * @param reconnectMaxDelay the cap of the exponential reconnect back-off
 * @param sslTrust hosts whose certificates are trusted without verification ("*" for all); empty,
 *        the default, verifies every certificate
 * @param plaintextHosts IMAP and SMTP hosts that may stay plaintext when Creatio's SecureOption is
 *        Auto and the server offers no STARTTLS ("*" for all); every other host must offer it
 * @param loginsPerSecond the most logins per second the subscriptions of one primary replica make to
 *        one mail server (a short burst of a tenth of that is allowed), so that a replica starting
 *        or taking over thousands of mailboxes does not storm the server; 0 for no limit
 */
@ConfigurationProperties("listener.imap")
public record ImapProperties(
        @DefaultValue("20s") Duration connectTimeout,
        @DefaultValue("60s") Duration readTimeout,
        @DefaultValue("5m") Duration idleRenewInterval,
        @DefaultValue("1m") Duration folderPollInterval,
        @DefaultValue("5m") Duration safetySyncInterval,
        @DefaultValue("1s") Duration reconnectInitialDelay,
        @DefaultValue("5m") Duration reconnectMaxDelay,
        @DefaultValue List<String> sslTrust,
        @DefaultValue List<String> plaintextHosts,
        @DefaultValue("200") int loginsPerSecond) {

    public ImapProperties {
        sslTrust = sslTrust == null ? List.of() : List.copyOf(sslTrust);
        plaintextHosts = plaintextHosts == null ? List.of() : List.copyOf(plaintextHosts);
    }

    /**
     * The socket timeout of a connection that sits in IDLE: it hears from the server at least once per
     * renewal (the NOOP's answer), so silence for longer than that and a margin means the connection is
     * dead.
     */
    public Duration idleSocketTimeout() {
        return idleRenewInterval.plus(readTimeout);
    }
}
