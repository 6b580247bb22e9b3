package org.emaillistener.common.creatio;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * How the listener calls Creatio back.
 *
 * @param connectTimeout how long to wait for a TCP connection to Creatio
 * @param requestTimeout how long one callback may take; Creatio answers ProcessFullEmail before it
 *        stores anything, so a slow answer means trouble (and is not retried at once)
 * @param circuit when calls to one Creatio host stop going out for a while
 * @param retry how a call that got no answer, a 5xx or a 429 is tried again at once
 * @param maxDownTime how long Creatio may fail to answer a mailbox's deliveries before the mailbox's
 *        state says so (the mail waits; it is never dropped); Creatio's deployment variable
 *        {@code MaxBpmonlineDownTime} (minutes) sets it in the applications' configuration
 * @param legacyNewEmail whether a mailbox served over EWS whose {@code BpmEndpoint} ends in
 *        {@code /NewEmail} gets Creatio's legacy {@code NewEmail} callback (the new items' ids, which
 *        Creatio loads itself) instead of {@code ProcessFullEmail} beside it; off by default, since
 *        every Creatio version takes {@code ProcessFullEmail}
 */
@Validated
@ConfigurationProperties("listener.creatio")
public record CreatioProperties(
        @DefaultValue("10s") Duration connectTimeout,
        @DefaultValue("60s") Duration requestTimeout,
        @DefaultValue @Valid Circuit circuit,
        @DefaultValue @Valid Retry retry,
        @DefaultValue("10m") Duration maxDownTime,
        @DefaultValue("false") boolean legacyNewEmail) {

    /** Whether this mailbox's new mail is announced by {@code NewEmail} (see {@link #legacyNewEmail}). */
    public boolean announcesNewEmail(SynchronizationCredentials mailbox) {
        if (!legacyNewEmail || mailbox.BpmEndpoint() == null) {
            return false;
        }
        String endpoint = mailbox.BpmEndpoint().trim();
        int query = endpoint.indexOf('?');
        String path = query < 0 ? endpoint : endpoint.substring(0, query);
        return path.replaceAll("/+$", "").toLowerCase(java.util.Locale.ROOT).endsWith("/newemail");
    }

    /** The defaults, with {@code settings} (relative names, e.g. {@code circuit.open-for}) over them. */
    public static CreatioProperties of(Map<String, String> settings) {
        Map<String, String> prefixed = new LinkedHashMap<>();
        settings.forEach((name, value) -> prefixed.put("listener.creatio." + name, value));
        return new Binder(new MapConfigurationPropertySource(prefixed))
                .bindOrCreate("listener.creatio", CreatioProperties.class);
    }

    /**
     * A failure-rate circuit breaker per Creatio host (Resilience4j): when at least
     * {@code failureRate} % of the last {@code window} calls (and {@code minimumCalls} of them at
     * least) got no answer or a 5xx, calls to that host fail at once for {@code openFor}; then
     * {@code halfOpenCalls} trial calls decide whether it closes again.
     */
    public record Circuit(
            @DefaultValue("50") @Min(1) @Max(100) int failureRate,
            @DefaultValue("100") @Min(1) int window,
            @DefaultValue("20") @Min(1) int minimumCalls,
            @DefaultValue("10s") Duration openFor,
            @DefaultValue("3") @Min(1) int halfOpenCalls) {
    }

    /**
     * Tries within one delivery: {@code attempts} in all, the waits between them jittered between half
     * and all of {@code initialDelay}, doubling up to {@code maxDelay}. What is still failing then
     * goes back to the sync queue, whose back-off takes over.
     */
    public record Retry(
            @DefaultValue("4") @Min(1) int attempts,
            @DefaultValue("100ms") Duration initialDelay,
            @DefaultValue("1s") Duration maxDelay) {
    }

    /**
     * The hosts Creatio may be called back on, see {@link CallbackAllowList}.
     *
     * @param allowedHosts host names, {@code *.domain} wildcards or {@code *}; empty allows any host
     */
    @ConfigurationProperties("listener.callbacks")
    public record Callbacks(@DefaultValue List<String> allowedHosts) {
    }
}
