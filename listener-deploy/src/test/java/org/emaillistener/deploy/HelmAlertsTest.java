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

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

/**
 * The chart's alerts (a PrometheusRule, opt-in like the ServiceMonitor): each reads only metrics the
 * applications really export from their start ({@link ExportedMetrics}), and each has its runbook, a
 * section of docs/runbooks.md that its annotations name.
 */
class HelmAlertsTest {

    private static final List<String> ALERTS = List.of("EmailListenerMailboxesUnowned",
            "EmailListenerReplicasAtCapacity", "EmailListenerMailParked", "EmailListenerDeadLetters",
            "EmailListenerCreatioCircuitOpen", "EmailListenerMailboxErrors", "EmailListenerSyncJobsWaiting",
            "EmailListenerMailFoundBySafetySync");
    private static final Pattern METRIC = Pattern.compile("\\b(?:email_listener|resilience4j)_\\w+");

    @Test
    void theAlertsAreOffByDefault() {
        assertThat(render(REQUIRED).custom("PrometheusRule")).isEmpty();
    }

    @Test
    void everyAlertReadsMetricsTheApplicationsExportAndNamesItsRunbook() {
        List<Map<String, Object>> rules = rules(render(Map.of("metrics.prometheusRule.enabled", true,
                "metrics.prometheusRule.runbookBaseUrl", "https://docs.example.com/email-listener/docs/runbooks.md"),
                REQUIRED));

        assertThat(rules).extracting(rule -> rule.get("alert")).containsExactlyElementsOf(ALERTS);
        MarkdownPage runbooks = MarkdownPage.doc("runbooks.md");
        Set<String> unknown = new TreeSet<>();
        for (Map<String, Object> rule : rules) {
            String expr = String.valueOf(rule.get("expr"));
            assertThat(expr).as("%s is scoped to the release's namespace", rule.get("alert"))
                    .contains("namespace=\"" + EmailListenerChart.NAMESPACE + "\"");
            Matcher metric = METRIC.matcher(expr);
            while (metric.find()) {
                if (!ExportedMetrics.samples().contains(metric.group())) {
                    unknown.add(rule.get("alert") + ": " + metric.group());
                }
            }
            @SuppressWarnings("unchecked")
            Map<String, String> annotations = (Map<String, String>) rule.get("annotations");
            String anchor = String.valueOf(rule.get("alert")).toLowerCase(java.util.Locale.ROOT);
            assertThat(annotations).containsEntry("runbook", "docs/runbooks.md#" + anchor)
                    .containsEntry("runbook_url", "https://docs.example.com/email-listener/docs/runbooks.md#" + anchor)
                    .containsKeys("summary", "description");
            assertThat(runbooks.headings()).as("the runbooks' sections").contains(String.valueOf(rule.get("alert")));
            assertThat(runbooks.anchors()).as("the runbooks' anchors").contains(anchor);
        }
        assertThat(unknown).as("metrics no application exports from its start").isEmpty();
    }

    @Test
    void theThresholdsAreValuesAndTheRuleIsLabelledForThePrometheusThatSelectsIt() {
        Manifests manifests = render(Map.of("metrics.prometheusRule.enabled", true,
                "metrics.prometheusRule.unownedFor", "10m", "metrics.prometheusRule.mailboxErrorRatio", 0.25,
                "metrics.prometheusRule.labels.release", "kube-prometheus-stack"), REQUIRED);
        GenericKubernetesResource rule = manifests.custom("PrometheusRule").getFirst();

        assertThat(rule.getMetadata().getName()).isEqualTo(FULLNAME);
        assertThat(rule.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
        List<Map<String, Object>> rules = rules(manifests);
        assertThat(rules.getFirst()).containsEntry("for", "10m");
        assertThat(String.valueOf(rules.get(5).get("expr"))).endsWith("> 0.25");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rules(Manifests manifests) {
        GenericKubernetesResource rule = manifests.custom("PrometheusRule").getFirst();
        Map<String, Object> spec = (Map<String, Object>) rule.getAdditionalProperties().get("spec");
        List<Map<String, Object>> groups = (List<Map<String, Object>>) spec.get("groups");
        return (List<Map<String, Object>>) groups.getFirst().get("rules");
    }
}
