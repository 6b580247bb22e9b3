package org.emaillistener.common.creatio;

import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Resilience4j circuit breaker per Creatio instance (scheme, host and port of its callbacks),
 * counting over a sliding window of its last calls: when the failure rate reaches the threshold, the
 * circuit opens and calls to that Creatio fail at once for a while instead of each holding a
 * syncer's thread for the request timeout, while other Creatio instances served by the same listener
 * are called as usual; then a few trial calls decide whether it closes. A Creatio that fails some
 * calls at random (500s under load) stays closed below the rate. Creatio answers its own exceptions
 * with 400: an answer, so not a failure here.
 * <p>
 * The breakers' state, calls and failure rate are exported as {@code resilience4j_circuitbreaker_*}
 * metrics tagged {@code name=<scheme://host:port>}.
 */
class CreatioCircuits {

    private static final Logger log = LoggerFactory.getLogger(CreatioCircuits.class);

    private final CircuitBreakerRegistry registry;

    public CreatioCircuits(CreatioProperties.Circuit circuit, MeterRegistry meters) {
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(circuit.window())
                .minimumNumberOfCalls(Math.min(circuit.minimumCalls(), circuit.window()))
                .failureRateThreshold(circuit.failureRate())
                .waitDurationInOpenState(circuit.openFor())
                .permittedNumberOfCallsInHalfOpenState(circuit.halfOpenCalls())
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .writableStackTraceEnabled(false)
                .build();
        this.registry = CircuitBreakerRegistry.of(config);
        registry.getEventPublisher().onEntryAdded(added -> added.getAddedEntry().getEventPublisher()
                .onStateTransition(event -> {
                    var transition = event.getStateTransition();
                    if (transition.getToState() == CircuitBreaker.State.OPEN) {
                        log.warn("Creatio at {} failed {}% of its last calls: calls to it fail at once for {} s",
                                event.getCircuitBreakerName(),
                                Math.round(added.getAddedEntry().getMetrics().getFailureRate()),
                                circuit.openFor().toSeconds());
                    } else if (transition.getToState() == CircuitBreaker.State.CLOSED) {
                        log.info("Creatio at {} answers again: its circuit is closed", event.getCircuitBreakerName());
                    }
                }));
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry).bindTo(meters);
    }

    /**
     * Takes permission for one call to this Creatio, or returns null when its circuit is open. The
     * caller reports the outcome to the permit.
     */
    public Permit acquire(URI uri) {
        CircuitBreaker breaker = registry.circuitBreaker(key(uri));
        try {
            breaker.acquirePermission();
        } catch (CallNotPermittedException e) {
            return null;
        }
        return new Permit(breaker, System.nanoTime());
    }

    /**
     * Each Creatio this process called, with its circuit: {@code failureRate} is the percentage of the
     * last calls that failed, -1 until enough calls were made to tell.
     */
    List<CreatioCircuit> circuits() {
        return registry.getAllCircuitBreakers().stream()
                .map(breaker -> new CreatioCircuit(breaker.getName(), breaker.getState().name(),
                        breaker.getMetrics().getFailureRate(), breaker.getMetrics().getNumberOfBufferedCalls()))
                .sorted(Comparator.comparing(CreatioCircuit::creatio)).toList();
    }

    private static String key(URI uri) {
        return (uri.getScheme() + "://" + uri.getHost() + ":" + uri.getPort()).toLowerCase(Locale.ROOT);
    }

    /** One call's permission; exactly one of its methods is called when the call ended. */
    public static final class Permit {

        private final CircuitBreaker breaker;
        private final long startedAt;

        private Permit(CircuitBreaker breaker, long startedAt) {
            this.breaker = breaker;
            this.startedAt = startedAt;
        }

        /** The HTTP status of the answer, or 0 when none came; only no answer and 5xx are failures. */
        public void record(int status) {
            long took = System.nanoTime() - startedAt;
            if (status == 0 || status >= 500) {
                breaker.onError(took, TimeUnit.NANOSECONDS,
                        new CreatioCallFailedException("HTTP " + status, status, null));
            } else {
                breaker.onSuccess(took, TimeUnit.NANOSECONDS);
            }
        }

        /** The call did not run to an answer for a reason that says nothing about Creatio. */
        public void release() {
            breaker.releasePermission();
        }
    }
}
