package org.emaillistener.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.emaillistener.deploy.EmailListenerChart.REQUIRED;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.fabric8.kubernetes.api.model.EnvVar;

/** Every environment variable the deployment files set is one the application it is set on reads. */
class EnvironmentNamesTest {

    private static ConfigurationMetadata metadata;

    @BeforeAll
    static void loadMetadata() {
        metadata = ConfigurationMetadata.load();
    }

    @Test
    void theMetadataDescribesTheApplicationsOwnProperties() {
        assertThat(metadata.describes("listener.callbacks.allowed-hosts")).isTrue();
        assertThat(metadata.describes("listener.primary.capacity")).isTrue();
        assertThat(metadata.describes("server.port")).isTrue();
        for (ListenerRole role : ListenerRole.values()) {
            assertThat(metadata.describesPropertiesOf(role)).as(role.role).isTrue();
        }
    }

    @Test
    void bindsEnvNamesTheWaySpringDoes() {
        assertThat(metadata.propertyBoundBy("LISTENER_IMAP_IDLE_RENEW_INTERVAL", ListenerRole.PRIMARY))
                .contains("listener.imap.idle-renew-interval");
        assertThat(metadata.propertyBoundBy("LISTENER_IMAP_IDLERENEWINTERVAL", ListenerRole.PRIMARY))
                .contains("listener.imap.idle-renew-interval");
        assertThat(metadata.isRead("LISTENER_IMAP_IDLE_RENEWAL", ListenerRole.PRIMARY)).isFalse();
        assertThat(metadata.isRead("IMAP_IDLE_RENEW_INTERVAL", ListenerRole.PRIMARY)).isFalse();
        assertThat(metadata.isRead("LISTENER_CALLBACKS_ALLOWED_HOST", ListenerRole.PRIMARY)).isFalse();
        assertThat(metadata.propertyBoundBy("LOGGING_LEVEL_ORG_EMAILLISTENER", ListenerRole.PRIMARY))
                .contains("logging.level.org.emaillistener");
        assertThat(metadata.isRead("LOGGING_LEVELS_ORG_EMAILLISTENER", ListenerRole.PRIMARY)).isFalse();
        // Each role reads only its own properties (and the shared ones).
        assertThat(metadata.isRead("LISTENER_PRIMARY_CAPACITY", ListenerRole.PRIMARY)).isTrue();
        assertThat(metadata.isRead("LISTENER_PRIMARY_CAPACITY", ListenerRole.SECONDARY)).isFalse();
        assertThat(metadata.isRead("LISTENER_SYNC_LOCK_TTL", ListenerRole.SECONDARY)).isTrue();
        assertThat(metadata.isRead("LISTENER_SYNC_LOCK_TTL", ListenerRole.PRIMARY)).isFalse();
    }

    @Test
    void bindsTheElementsOfAListOfRecordsByIndex() {
        assertThat(metadata.propertyBoundBy("LISTENER_GRAPH_TENANTS_0_TENANTID", ListenerRole.PRIMARY))
                .contains("listener.graph.tenants[0].tenant-id");
        assertThat(metadata.propertyBoundBy("LISTENER_GRAPH_TENANTS_12_CERTIFICATEPATH", ListenerRole.SECONDARY))
                .contains("listener.graph.tenants[12].certificate-path");
        assertThat(metadata.isRead("LISTENER_GRAPH_TENANTS_0_TENANT", ListenerRole.PRIMARY)).isFalse();
        assertThat(metadata.isRead("LISTENER_GRAPH_TENANTS_TENANTID", ListenerRole.PRIMARY)).isFalse();
        assertThat(metadata.isRead("LISTENER_GRAPH_TENANTS_0", ListenerRole.PRIMARY)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = { "hpa.yaml", "keda.yaml", "ingress.yaml", "existing-secrets.yaml", "inline-secrets.yaml",
            "monitoring.yaml", "tuned.yaml", "graph-inline.yaml", "graph-existing-secrets.yaml",
            "original-chart.yaml" })
    void everyVariableTheChartSetsIsReadByItsApplication(String variant) {
        Manifests manifests = EmailListenerChart.render(REQUIRED, variant);

        List<String> unread = new ArrayList<>();
        for (ListenerRole role : ListenerRole.values()) {
            manifests.env(role).stream().map(EnvVar::getName)
                    .filter(name -> !metadata.isRead(name, role))
                    .forEach(name -> unread.add(role.role + ": " + name));
        }
        assertThat(unread).as("env names no property of the application binds (with %s)", variant).isEmpty();
    }

    @Test
    void theChartSetsTheSettingsTheVariantsAreAbout() {
        Manifests tuned = EmailListenerChart.render(REQUIRED, "tuned.yaml", "inline-secrets.yaml");

        assertThat(tuned.env(ListenerRole.PRIMARY)).extracting(EnvVar::getName)
                .contains("LISTENER_PRIMARY_LEASE_TTL", "LISTENER_OPERATOR_API_KEY", "LISTENER_REDIS_KEY_PREFIX",
                        "SPRING_DATA_REDIS_SSL_ENABLED", "SPRING_RABBITMQ_SSL_ENABLED", "SPRING_DATA_REDIS_PASSWORD",
                        "SPRING_RABBITMQ_PASSWORD", "LISTENER_SECURITY_PREVIOUS_ENCRYPTION_KEY");
        assertThat(tuned.env(ListenerRole.SECONDARY)).extracting(EnvVar::getName).contains("LISTENER_JOBS_CONCURRENCY",
                "LISTENER_RABBITMQ_DEAD_LETTER_TTL", "LISTENER_RABBITMQ_DEAD_LETTER_MAX_LENGTH");
    }

    @Test
    void everyVariableTheComposeFileSetsIsReadByItsApplication() {
        ComposeFile compose = ComposeFile.load();

        List<String> unread = new ArrayList<>();
        for (ListenerRole role : ListenerRole.values()) {
            String service = compose.serviceOf(role).orElseThrow();
            compose.environment(service).keySet().stream()
                    .filter(name -> !metadata.isRead(name, role))
                    .forEach(name -> unread.add(service + ": " + name));
        }
        assertThat(unread).as("env names no property of the application binds").isEmpty();
    }
}
