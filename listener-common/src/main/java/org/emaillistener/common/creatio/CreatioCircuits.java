package org.emaillistener.common.creatio;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A circuit breaker per Creatio instance (scheme, host and port of its callbacks). After
 * {@code failureThreshold} calls in a row that got no answer or a 5xx, the circuit opens: calls to
 * that Creatio fail at once for {@code openFor}, instead of each holding a syncer's thread for the
 * request timeout, while other Creatio instances served by the same listener are called as usual.
 * Then one trial call may pass; its answer closes the circuit or opens it again. Creatio answers its
 * own exceptions with 400: an answer, so not a failure here.
 */
public class CreatioCircuits {

    private static final Logger log = LoggerFactory.getLogger(CreatioCircuits.class);

    private final int failureThreshold;
    private final long openForNanos;
    private final ConcurrentHashMap<String, Circuit> circuits = new ConcurrentHashMap<>();

    public CreatioCircuits(int failureThreshold, Duration openFor) {
        this.failureThreshold = failureThreshold;
        this.openForNanos = openFor.toNanos();
    }

    /** Whether a call to this Creatio may go out now. */
    public boolean allows(URI uri) {
        Circuit circuit = circuits.get(key(uri));
        return circuit == null || circuit.allows(System.nanoTime());
    }

    /** Records the outcome of a call: the HTTP status, or 0 when no answer came. */
    public void record(URI uri, int status) {
        String key = key(uri);
        boolean failed = status == 0 || status >= 500;
        if (!failed) {
            Circuit circuit = circuits.get(key);
            if (circuit != null && circuit.succeeded()) {
                log.info("Creatio at {} answers again: its circuit is closed", key);
            }
            return;
        }
        if (circuits.computeIfAbsent(key, k -> new Circuit()).failed(System.nanoTime())) {
            log.warn("Creatio at {} failed {} calls in a row: calls to it fail at once for {} s", key,
                    failureThreshold, Duration.ofNanos(openForNanos).toSeconds());
        }
    }

    private static String key(URI uri) {
        return (uri.getScheme() + "://" + uri.getHost() + ":" + uri.getPort()).toLowerCase(Locale.ROOT);
    }

    private final class Circuit {

        private int failures;
        private long openUntil;
        private boolean trialOut;

        synchronized boolean allows(long now) {
            if (failures < failureThreshold) {
                return true;
            }
            if (now - openUntil < 0 || trialOut) {
                return false;
            }
            trialOut = true;
            return true;
        }

        /** @return whether the circuit was open */
        synchronized boolean succeeded() {
            boolean wasOpen = failures >= failureThreshold;
            failures = 0;
            trialOut = false;
            return wasOpen;
        }

        /** @return whether this failure opened the circuit */
        synchronized boolean failed(long now) {
            failures++;
            trialOut = false;
            if (failures >= failureThreshold) {
                openUntil = now + openForNanos;
                return failures == failureThreshold;
            }
            return false;
        }
    }
}
