package org.emaillistener.deploy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.context.ConfigurableApplicationContext;

import io.github.resilience4j.micrometer.tagged.CircuitBreakerMetricNames;
import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusNamingConvention;

/**
 * The metric samples the applications export, as Prometheus scrapes them: both roles booted in memory
 * mode and their {@code /actuator/prometheus} read, plus the circuit-breaker gauges Resilience4j's
 * binder adds once a Creatio host is first called (named by the library's own constants). A meter
 * registered only on its first event is not here: what an alert or a panel reads must exist from the
 * start, so that it reads 0, not nothing.
 */
final class ExportedMetrics {

    private static Set<String> samples;

    private ExportedMetrics() {
    }

    static synchronized Set<String> samples() {
        if (samples == null) {
            Set<String> found = new TreeSet<>();
            for (ListenerRole role : ListenerRole.values()) {
                try (ConfigurableApplicationContext app = role.start()) {
                    int port = ListenerRole.managementPort(app);
                    scrape(port).lines().filter(line -> !line.startsWith("#") && !line.isBlank())
                            .map(line -> line.split("[{ ]", 2)[0]).forEach(found::add);
                }
            }
            PrometheusNamingConvention prometheus = new PrometheusNamingConvention();
            found.add(prometheus.name(CircuitBreakerMetricNames.DEFAULT_CIRCUIT_BREAKER_STATE, Meter.Type.GAUGE));
            samples = Set.copyOf(found);
        }
        return samples;
    }

    private static String scrape(int port) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/actuator/prometheus")).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
