package org.emaillistener.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.emaillistener.deploy.EmailListenerChart.REQUIRED;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.UrlResource;
import org.springframework.util.ClassUtils;

import io.fabric8.kubernetes.api.model.Container;

/**
 * The paths the chart's probes and compose's health checks ask answer 200 on the real applications,
 * booted in memory mode (no Redis, no RabbitMQ), each with its own application.yaml.
 */
class ProbePathsTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @ParameterizedTest
    @EnumSource(ListenerRole.class)
    void everyProbePathOfTheDeploymentAnswers200(ListenerRole role) throws Exception {
        Set<String> paths = probePaths(role);
        assertThat(paths).isNotEmpty();

        try (ConfigurableApplicationContext app = role.start()) {
            int port = ListenerRole.managementPort(app);
            for (String path : paths) {
                assertThat(get(port, path).statusCode()).as("GET %s on the %s", path, role.role).isEqualTo(200);
            }
            if (role == ListenerRole.PRIMARY) {
                int api = app.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
                // Creatio's own probe path, for deployments that keep probing it.
                assertThat(get(api, "/api/listeners/status").statusCode()).isEqualTo(200);
                // The actuator is not on Creatio's port: a stranger who reaches the API reaches no
                // metrics and cannot change a log level.
                assertThat(get(api, "/actuator/health").statusCode()).isEqualTo(404);
                assertThat(get(api, "/actuator/loggers").statusCode()).isEqualTo(404);
                assertThat(get(port, "/actuator/loggers/org.emaillistener").statusCode()).isEqualTo(200);
            }
        }
    }

    /** The path the ServiceMonitor and the pod annotations scrape. */
    @ParameterizedTest
    @EnumSource(ListenerRole.class)
    void theScrapePathAnswers200(ListenerRole role) throws Exception {
        String path = EmailListenerChart.render(REQUIRED).primary().getSpec().getTemplate().getMetadata()
                .getAnnotations().get("prometheus.io/path");

        try (ConfigurableApplicationContext app = role.start()) {
            int port = ListenerRole.managementPort(app);
            assertThat(get(port, path).statusCode()).as("GET %s on the %s", path, role.role).isEqualTo(200);
        }
    }

    @ParameterizedTest
    @EnumSource(ListenerRole.class)
    void theContainerPortIsTheOneTheApplicationListensOn(ListenerRole role) throws Exception {
        int serverPort = role.ownPort("server.port");
        int managementPort = role.ownManagementPort();

        Container container = EmailListenerChart.render(REQUIRED).container(role);

        assertThat(container.getPorts()).filteredOn(port -> port.getName().equals("http")).singleElement()
                .satisfies(port -> assertThat(port.getContainerPort()).isEqualTo(serverPort));
        if (managementPort != serverPort) {
            assertThat(container.getPorts()).filteredOn(port -> port.getName().equals("management")).singleElement()
                    .satisfies(port -> assertThat(port.getContainerPort()).isEqualTo(managementPort));
        }
        assertThat(container.getPorts()).hasSize(managementPort != serverPort ? 2 : 1);
        String probePort = managementPort != serverPort ? "management" : "http";
        assertThat(container.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo(probePort);
        assertThat(container.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo(probePort);
        assertThat(container.getStartupProbe().getHttpGet().getPort().getStrVal()).isEqualTo(probePort);
        assertThat(ComposeFile.load().service(role.role).get("ports")).asList()
                .contains(serverPort + ":" + serverPort);
    }

    private static Set<String> probePaths(ListenerRole role) {
        Container container = EmailListenerChart.render(REQUIRED).container(role);
        Set<String> paths = new TreeSet<>();
        paths.add(container.getStartupProbe().getHttpGet().getPath());
        paths.add(container.getLivenessProbe().getHttpGet().getPath());
        paths.add(container.getReadinessProbe().getHttpGet().getPath());
        paths.add(ComposeFileTest.healthCheckPath(ComposeFile.load(), role.role));
        return paths;
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
