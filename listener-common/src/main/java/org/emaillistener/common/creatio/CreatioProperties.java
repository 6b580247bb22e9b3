package org.emaillistener.common.creatio;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the listener calls Creatio back.
 *
 * @param connectTimeout how long to wait for a TCP connection to Creatio
 * @param requestTimeout how long one callback may take; Creatio answers ProcessFullEmail before it
 *        stores anything, so a slow answer means trouble
 * @param circuitFailureThreshold calls in a row without an answer (or with a 5xx) after which calls to
 *        that Creatio fail at once for a while
 * @param circuitOpenFor how long calls fail at once before one trial call may go out
 * @param maxDownTime how long Creatio may fail to answer a mailbox's deliveries before the mailbox's
 *        state says so (the mail waits; it is never dropped); Creatio's deployment variable
 *        {@code MaxBpmonlineDownTime} (minutes) sets it in the applications' configuration
 */
@ConfigurationProperties("listener.creatio")
public record CreatioProperties(
        @DefaultValue("10s") Duration connectTimeout,
        @DefaultValue("60s") Duration requestTimeout,
        @DefaultValue("5") int circuitFailureThreshold,
        @DefaultValue("30s") Duration circuitOpenFor,
        @DefaultValue("10m") Duration maxDownTime) {

    /**
     * The hosts Creatio may be called back on, see {@link CallbackAllowList}.
     *
     * @param allowedHosts host names, {@code *.domain} wildcards or {@code *}; empty allows any host
     */
    @ConfigurationProperties("listener.callbacks")
    public record Callbacks(@DefaultValue List<String> allowedHosts) {
    }
}
