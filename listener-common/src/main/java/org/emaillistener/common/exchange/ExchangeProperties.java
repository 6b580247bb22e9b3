package org.emaillistener.common.exchange;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * How the service talks to Exchange (EWS).
 *
 * @param requestTimeout how long one EWS call (connect, and every wait for data) may take; also the
 *        read timeout of a streaming connection, so it stays above the 45 s between Exchange's
 *        heartbeats: a connection silent for longer is dead
 * @param subscriptionLifetime how long a streaming connection lives before it is reopened, when the
 *        mailbox's {@code SubscriptionTtl} (minutes) does not say; Exchange allows 1 to 30 minutes
 * @param reconnectInitialDelay the wait before the first reconnect after a failure
 * @param reconnectMaxDelay the cap of the exponential reconnect back-off
 * @param safetySyncInterval how often each subscription asks for a sync of its folders even without
 *        an event (spread out across mailboxes); zero turns it off
 * @param syncPageSize changes asked for per SyncFolderItems call (Exchange returns at most 512)
 * @param synchronizedCategory the category set on delivered items when Creatio asks for
 *        {@code MarkEmailsAsSynchronized}
 * @param autodiscoverCacheTime how long an autodiscovered EWS address is used before it is looked
 *        up again
 * @param plaintextHosts hosts whose EWS (or autodiscover) may be reached over {@code http://}, which
 *        sends the mailbox's Basic credentials or token in clear text ("*" for all); every other
 *        {@code http://} address is refused
 */
@ConfigurationProperties("listener.exchange")
public record ExchangeProperties(
        @DefaultValue("100s") Duration requestTimeout,
        @DefaultValue("30m") Duration subscriptionLifetime,
        @DefaultValue("1s") Duration reconnectInitialDelay,
        @DefaultValue("5m") Duration reconnectMaxDelay,
        @DefaultValue("5m") Duration safetySyncInterval,
        @DefaultValue("100") @Min(1) @Max(512) int syncPageSize,
        @DefaultValue("Creatio") String synchronizedCategory,
        @DefaultValue("1h") Duration autodiscoverCacheTime,
        @DefaultValue List<String> plaintextHosts) {

    /** Whether an {@code http://} address on this host may be used. */
    public boolean plaintextAllowed(String host) {
        return plaintextHosts.contains("*") || plaintextHosts.stream().anyMatch(allowed -> allowed.equalsIgnoreCase(host));
    }

    /**
     * The lifetime of a mailbox's streaming connections: its {@code SubscriptionTtl} in minutes (the
     * likely reading of a unit Creatio does not state), or the default; always within Exchange's 1 to
     * 30 minutes.
     */
    public Duration lifetime(int subscriptionTtl) {
        long minutes = subscriptionTtl > 0 ? subscriptionTtl : subscriptionLifetime.toMinutes();
        return Duration.ofMinutes(Math.clamp(minutes, 1, 30));
    }
}
