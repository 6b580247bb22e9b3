package org.emaillistener.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.emaillistener.deploy.EmailListenerChart.FULLNAME;
import static org.emaillistener.deploy.EmailListenerChart.REQUIRED;
import static org.emaillistener.deploy.EmailListenerChart.render;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.marcnuri.helm.LintResult;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.Serialization;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class HelmChartTest {

    /**
     * The metrics the dashboard and the autoscalers read (issue 7), those registered on their first
     * event among them (a Creatio response, a reconnect, a consumed job), which a booted application
     * does not show yet.
     */
    static final Set<String> METRICS = Set.of(
            "email_listener_subscriptions_active", "email_listener_subscriptions_capacity",
            "email_listener_mailboxes_registered", "email_listener_mailboxes_unowned",
            "email_listener_mailboxes_in_error", "email_listener_sync_jobs_published_total",
            "email_listener_sync_jobs_consumed_total", "email_listener_sync_jobs_dead_lettered_total",
            "email_listener_sync_queue_depth", "email_listener_delivery_latency_seconds",
            "email_listener_creatio_responses_total", "email_listener_reconnects_total",
            "email_listener_mail_found_by_safety_sync_total", "resilience4j_circuitbreaker_state");

    @Test
    void passesHelmLintStrictly() {
        LintResult lint = EmailListenerChart.lint();

        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
    }

    @Test
    void runsThePrimaryAsAStatefulSetAndTheSecondaryAsADeployment() {
        Manifests manifests = render(REQUIRED);

        assertThat(manifests.kinds()).containsExactly("Deployment", "NetworkPolicy", "PodDisruptionBudget", "Secret", "Service",
                "ServiceAccount", "StatefulSet");
        StatefulSet primary = manifests.primary();
        assertThat(primary.getSpec().getReplicas()).isEqualTo(2);
        assertThat(primary.getSpec().getServiceName()).isEqualTo(FULLNAME + "-primary-headless");
        assertThat(manifests.secondary().getSpec().getReplicas()).isEqualTo(2);
    }

    @Test
    void replicaCountSetsThePrimaryReplicasAsInCreatiosChart() {
        Manifests manifests = render(Map.of("replicaCount", 3, "secondary.replicaCount", 4), REQUIRED);

        assertThat(manifests.primary().getSpec().getReplicas()).isEqualTo(3);
        assertThat(manifests.secondary().getSpec().getReplicas()).isEqualTo(4);
    }

    @Test
    void exposesCreatiosApiOnAClusterIpServiceOfThePrimary() {
        Service api = render(REQUIRED).one(Service.class, FULLNAME + "-primary");

        assertThat(api.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(api.getSpec().getSelector()).containsEntry("app.kubernetes.io/component", "primary");
        assertThat(api.getSpec().getPorts()).singleElement().satisfies(port -> {
            assertThat(port.getPort()).isEqualTo(80);
            assertThat(port.getTargetPort().getStrVal()).isEqualTo("http");
        });
    }

    @Test
    void installNotesGiveTheUrlCreatioNeeds() {
        String output = EmailListenerChart.installOutput(REQUIRED);

        assertThat(output).contains("ExchangeListenerServiceUri",
                "http://" + FULLNAME + "-primary." + EmailListenerChart.NAMESPACE + "/api/listeners");
    }

    @ParameterizedTest
    @EnumSource(ListenerRole.class)
    void probesAskTheActuatorHealthGroups(ListenerRole role) {
        Container container = render(REQUIRED).container(role);

        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
        assertThat(container.getStartupProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/readiness");
        // The primary's on its management port (Creatio's API is apart), the secondary's on its only one.
        assertThat(container.getLivenessProbe().getHttpGet().getPort().getStrVal())
                .isEqualTo(role == ListenerRole.PRIMARY ? "management" : "http");
    }

    @ParameterizedTest
    @EnumSource(ListenerRole.class)
    void podsRunAsNonRootOnAReadOnlyRootFilesystemWithoutCapabilities(ListenerRole role) {
        Manifests manifests = render(REQUIRED);
        PodSpec pod = manifests.podSpec(role);
        Container container = manifests.container(role);

        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(container.getVolumeMounts()).anySatisfy(mount -> assertThat(mount.getMountPath()).isEqualTo("/tmp"));
        // Large mail is spooled in /tmp: on disk, sized for it, not a small tmpfs.
        assertThat(pod.getVolumes()).filteredOn(volume -> volume.getName().equals("tmp")).singleElement()
                .satisfies(volume -> {
                    assertThat(volume.getEmptyDir().getMedium()).isNull();
                    assertThat(volume.getEmptyDir().getSizeLimit().toString()).isEqualTo("2Gi");
                });
    }

    @Test
    void thePrimaryHasTimeToReleaseItsLeasesOnShutdown() {
        Manifests manifests = render(REQUIRED);

        assertThat(manifests.podSpec(ListenerRole.PRIMARY).getTerminationGracePeriodSeconds()).isGreaterThanOrEqualTo(30);
        assertThat(manifests.podSpec(ListenerRole.SECONDARY).getTerminationGracePeriodSeconds()).isGreaterThanOrEqualTo(30);
    }

    @Test
    void thePrimaryNamesItselfInTheLeasesByItsPodName() {
        EnvVar podName = render(REQUIRED).env(ListenerRole.PRIMARY, "PodName");

        assertThat(podName.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
    }

    @Test
    void passesCreatiosSettingsThrough() {
        Manifests manifests = render(Map.of("maxBpmonlineDownTime", 15, "primary.capacity", 1200), REQUIRED);

        assertThat(manifests.env(ListenerRole.PRIMARY, "LISTENER_PRIMARY_CAPACITY").getValue()).isEqualTo("1200");
        for (ListenerRole role : ListenerRole.values()) {
            assertThat(manifests.env(role, "MaxBpmonlineDownTime").getValue()).isEqualTo("15");
            assertThat(manifests.env(role, "LISTENER_CALLBACKS_ALLOWED_HOSTS").getValue()).isEqualTo("crm.example.com");
            assertThat(manifests.env(role, "LISTENER_STORE").getValue()).isEqualTo("redis");
            assertThat(manifests.env(role, "LISTENER_QUEUE").getValue()).isEqualTo("rabbitmq");
            assertThat(manifests.env(role, "LISTENER_RABBITMQ_QUORUM").getValue()).isEqualTo("true");
        }
    }

    @Test
    void secretsGivenInlineAreKeptInTheChartsSecretAndOnlyReferencedByThePods() {
        Manifests manifests = render(REQUIRED, "inline-secrets.yaml");

        Secret secret = manifests.one(Secret.class, FULLNAME);
        assertThat(secret.getData()).containsOnlyKeys("encryption-key", "previous-encryption-key", "redis-password",
                "rabbitmq-password", "operator-api-key");
        for (ListenerRole role : ListenerRole.values()) {
            assertThat(secretEnv(manifests, role)).allSatisfy(env -> {
                assertThat(env.getValue()).as(env.getName()).isNull();
                assertThat(env.getValueFrom().getSecretKeyRef().getName()).as(env.getName()).isEqualTo(FULLNAME);
            });
            String workload = Serialization.asYaml(role == ListenerRole.PRIMARY ? manifests.primary() : manifests.secondary());
            assertThat(workload).doesNotContain("redis-secret-password", "rabbitmq-secret-password",
                    "operator-secret-key", "9tz6pKWd7rCCmcShQg8udupbTAZ0J+CvUUqqweBrJhg=");
        }
        assertThat(manifests.env(ListenerRole.PRIMARY, "LISTENER_OPERATOR_API_KEY").getValueFrom().getSecretKeyRef()
                .getKey()).isEqualTo("operator-api-key");
    }

    @Test
    void existingSecretsAreReferencedAndNoSecretIsRendered() {
        Manifests manifests = render(REQUIRED, "existing-secrets.yaml");

        assertThat(manifests.all(Secret.class)).isEmpty();
        for (ListenerRole role : ListenerRole.values()) {
            assertThat(manifests.env(role, "LISTENER_SECURITY_ENCRYPTION_KEY").getValueFrom().getSecretKeyRef())
                    .satisfies(ref -> {
                        assertThat(ref.getName()).isEqualTo("listener-keys");
                        assertThat(ref.getKey()).isEqualTo("encryption-key");
                    });
            assertThat(manifests.env(role, "LISTENER_SECURITY_PREVIOUS_ENCRYPTION_KEY").getValueFrom()
                    .getSecretKeyRef().getOptional()).isTrue();
            assertThat(manifests.env(role, "SPRING_DATA_REDIS_PASSWORD").getValueFrom().getSecretKeyRef().getName())
                    .isEqualTo("redis");
            assertThat(manifests.env(role, "SPRING_RABBITMQ_PASSWORD").getValueFrom().getSecretKeyRef().getName())
                    .isEqualTo("rabbitmq");
        }
        assertThat(manifests.env(ListenerRole.PRIMARY, "LISTENER_OPERATOR_API_KEY").getValueFrom().getSecretKeyRef()
                .getKey()).isEqualTo("operator-key");
    }

    @Test
    void noPasswordWithoutOneGiven() {
        Manifests manifests = render(REQUIRED);

        for (ListenerRole role : ListenerRole.values()) {
            assertThat(manifests.env(role)).extracting(EnvVar::getName)
                    .doesNotContain("SPRING_DATA_REDIS_PASSWORD", "SPRING_RABBITMQ_PASSWORD", "LISTENER_OPERATOR_API_KEY");
        }
    }

    @ParameterizedTest
    @EnumSource(ListenerRole.class)
    void disruptionsAndPlacementSpreadTheReplicas(ListenerRole role) {
        Manifests manifests = render(REQUIRED);

        PodDisruptionBudget budget = manifests.one(PodDisruptionBudget.class, FULLNAME + "-" + role.role);
        assertThat(budget.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(budget.getSpec().getSelector().getMatchLabels()).containsEntry("app.kubernetes.io/component", role.role);
        assertThat(manifests.podSpec(role).getTopologySpreadConstraints()).isNotEmpty().allSatisfy(constraint ->
                assertThat(constraint.getLabelSelector().getMatchLabels())
                        .containsEntry("app.kubernetes.io/component", role.role));
    }

    @Test
    void ingressRoutesTheApiToThePrimary() {
        Ingress ingress = render(REQUIRED, "ingress.yaml").one(Ingress.class, FULLNAME);

        assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
        assertThat(ingress.getSpec().getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getHost()).isEqualTo("listener.example.com");
            assertThat(rule.getHttp().getPaths()).singleElement().satisfies(path -> {
                assertThat(path.getPath()).isEqualTo("/api");
                assertThat(path.getBackend().getService().getName()).isEqualTo(FULLNAME + "-primary");
            });
        });
        assertThat(EmailListenerChart.installOutput(REQUIRED, "ingress.yaml"))
                .contains("https://listener.example.com/api/listeners");
    }

    @Test
    @SuppressWarnings("unchecked")
    void serviceMonitorScrapesEachPodOnceOnThePrometheusEndpoint() {
        Manifests manifests = render(REQUIRED, "monitoring.yaml");

        GenericKubernetesResource monitor = manifests.custom("ServiceMonitor").getFirst();
        Map<String, Object> spec = spec(monitor);
        assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus");
        assertThat((List<Object>) spec.get("endpoints")).containsExactly(
                Map.of("port", "management", "path", "/actuator/prometheus", "interval", "30s", "scrapeTimeout", "10s"),
                Map.of("port", "http", "path", "/actuator/prometheus", "interval", "30s", "scrapeTimeout", "10s"));
        // The selector takes the primaries' metrics Service and the secondary's, neither the Service
        // Creatio calls nor the headless one; each has one of the two ports, so each pod is scraped once.
        List<Service> selected = manifests.all(Service.class).stream()
                .filter(service -> selects(spec, service.getMetadata().getLabels()))
                .toList();
        assertThat(selected).extracting(service -> service.getMetadata().getName())
                .containsExactlyInAnyOrder(FULLNAME + "-primary-metrics", FULLNAME + "-secondary");
        for (Service service : selected) {
            assertThat(service.getSpec().getPorts()).singleElement()
                    .satisfies(port -> assertThat(port.getName()).isIn("management", "http"));
        }
        assertThat(manifests.one(Service.class, FULLNAME + "-primary").getSpec().getPorts())
                .extracting(port -> port.getName()).containsExactly("http");
        assertThat(manifests.primary().getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("prometheus.io/path", "/actuator/prometheus")
                .containsEntry("prometheus.io/port", "8090");
    }

    /**
     * The dashboard charts every metric family the applications export (booted, {@link ExportedMetrics})
     * and the ones they register on their first event ({@link #METRICS}); every metric it reads is
     * one of those; the panels an on-call engineer reads first (mail not served, waiting, late) are
     * the top row.
     */
    @Test
    void dashboardIsShippedForGrafanasSidecarAndChartsEveryMetric() {
        ConfigMap dashboard = render(REQUIRED, "monitoring.yaml").one(ConfigMap.class, FULLNAME + "-dashboard");

        assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        JsonNode json = JsonMapper.builder().build().readTree(dashboard.getData().get("email-listener.json"));
        List<String> queries = json.path("panels").valueStream()
                .flatMap(panel -> panel.path("targets").valueStream())
                .map(target -> target.path("expr").asString())
                .toList();
        Set<String> charted = new TreeSet<>();
        Matcher metric = Pattern.compile("\\b(?:email_listener|resilience4j|jvm|process)_\\w+").matcher(String.join("\n", queries));
        while (metric.find()) {
            charted.add(metric.group());
        }
        Set<String> exported = new TreeSet<>(ExportedMetrics.samples());
        METRICS.forEach(family -> exported.addAll(List.of(family, family + "_total", family + "_bucket")));
        assertThat(charted).as("metrics the dashboard reads that no application exports")
                .allMatch(exported::contains);
        Set<String> families = new TreeSet<>();
        for (String sample : ExportedMetrics.samples()) {
            if (sample.startsWith("email_listener_")) {
                families.add(sample.replaceFirst("_(bucket|count|sum|max)$", ""));
            }
        }
        families.addAll(METRICS);
        Set<String> chartedFamilies = new TreeSet<>();
        charted.forEach(name -> chartedFamilies.add(name.replaceFirst("_(bucket|count|sum|max)$", "")));
        assertThat(families).as("metric families the dashboard does not chart")
                .allMatch(family -> chartedFamilies.contains(family) || chartedFamilies.contains(family + "_total")
                        || chartedFamilies.contains(family.replaceFirst("_total$", "")));
        List<JsonNode> panels = json.path("panels").valueStream().toList();
        assertThat(panels.stream().filter(panel -> panel.path("gridPos").path("y").asInt() == 0)
                .map(panel -> panel.path("title").asString())).containsExactly("Mailboxes not served",
                        "Dead-lettered sync jobs", "Parked in the last hour", "Delivery p99", "Creatio circuits open",
                        "Sync job wait p99");
        assertThat(panels.stream().map(panel -> panel.path("title").asString()))
                .contains("Active subscriptions per replica", "Registered and unowned mailboxes",
                        "Mailboxes in error by kind", "Sync jobs", "Sync queue depth", "Delivery latency",
                        "Creatio responses by status", "Reconnects", "Mail found by the safety sync",
                        "Sync job wait", "Parked mail and dead letters", "JVM heap used", "GC overhead",
                        "Builds running");
    }

    @Test
    void monitoringIsOffByDefault() {
        Manifests manifests = render(REQUIRED);

        assertThat(manifests.custom("ServiceMonitor")).isEmpty();
        assertThat(manifests.all(ConfigMap.class)).isEmpty();
    }

    private static List<EnvVar> secretEnv(Manifests manifests, ListenerRole role) {
        return manifests.env(role).stream()
                .filter(env -> env.getName().contains("PASSWORD") || env.getName().endsWith("_KEY"))
                .toList();
    }

    /** Whether a ServiceMonitor's selector (matchLabels, matchExpressions with In) takes these labels. */
    @SuppressWarnings("unchecked")
    private static boolean selects(Map<String, Object> spec, Map<String, String> labels) {
        Map<String, Object> selector = (Map<String, Object>) spec.get("selector");
        Map<String, String> matchLabels = (Map<String, String>) selector.getOrDefault("matchLabels", Map.of());
        List<Map<String, Object>> expressions = (List<Map<String, Object>>) selector.getOrDefault("matchExpressions", List.of());
        return labels.entrySet().containsAll(matchLabels.entrySet())
                && expressions.stream().allMatch(expression -> expression.get("operator").equals("In")
                        && ((List<String>) expression.get("values")).contains(labels.get((String) expression.get("key"))));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> spec(GenericKubernetesResource resource) {
        return (Map<String, Object>) resource.getAdditionalProperties().get("spec");
    }
}
