package org.emaillistener.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.emaillistener.deploy.EmailListenerChart.FULLNAME;
import static org.emaillistener.deploy.EmailListenerChart.REQUIRED;
import static org.emaillistener.deploy.EmailListenerChart.render;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;

class HelmAutoscalingTest {

    @Test
    void isOffByDefault() {
        Manifests manifests = render(REQUIRED);

        assertThat(manifests.all(HorizontalPodAutoscaler.class)).isEmpty();
        assertThat(manifests.custom("ScaledObject")).isEmpty();
    }

    @Test
    void scalesThePrimaryOnActiveSubscriptionsPerReplicaAgainstItsCapacity() {
        Manifests manifests = render(Map.of("primary.capacity", 1000), REQUIRED, "hpa.yaml");

        HorizontalPodAutoscaler hpa = manifests.one(HorizontalPodAutoscaler.class, FULLNAME + "-primary");
        assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("StatefulSet");
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(FULLNAME + "-primary");
        MetricSpec metric = hpa.getSpec().getMetrics().getFirst();
        assertThat(metric.getType()).isEqualTo("Pods");
        assertThat(metric.getPods().getMetric().getName()).isEqualTo("email_listener_subscriptions_active");
        assertThat(metric.getPods().getTarget().getType()).isEqualTo("AverageValue");
        // 50 % (autoscaling.primary.targetCapacityPercent) of 1000 subscriptions per replica: the
        // mailboxes of one of the two replicas fit on the other.
        assertThat(metric.getPods().getTarget().getAverageValue().toString()).isEqualTo("500");
        assertThat(hpa.getSpec().getBehavior().getScaleDown().getStabilizationWindowSeconds()).isEqualTo(600);
        // The autoscaler owns the replica count: the chart no longer sets it.
        assertThat(manifests.primary().getSpec().getReplicas()).isNull();
    }

    @Test
    void scalesTheSecondaryOnTheSyncQueueDepthPerReplica() {
        Manifests manifests = render(REQUIRED, "hpa.yaml");

        HorizontalPodAutoscaler hpa = manifests.one(HorizontalPodAutoscaler.class, FULLNAME + "-secondary");
        assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        MetricSpec metric = hpa.getSpec().getMetrics().getFirst();
        assertThat(metric.getType()).isEqualTo("Object");
        assertThat(metric.getObject().getMetric().getName()).isEqualTo("email_listener_sync_queue_depth");
        assertThat(metric.getObject().getDescribedObject().getName()).isEqualTo(FULLNAME + "-secondary");
        assertThat(metric.getObject().getTarget().getType()).isEqualTo("AverageValue");
        assertThat(metric.getObject().getTarget().getAverageValue().toString()).isEqualTo("100");
        assertThat(manifests.secondary().getSpec().getReplicas()).isNull();
    }

    @Test
    void kedaScalesOnTheSameMetricsQueriedFromPrometheus() {
        Manifests manifests = render(REQUIRED, "keda.yaml");

        assertThat(manifests.all(HorizontalPodAutoscaler.class)).isEmpty();
        List<GenericKubernetesResource> scaledObjects = manifests.custom("ScaledObject");
        assertThat(scaledObjects).extracting(o -> o.getMetadata().getName())
                .containsExactlyInAnyOrder(FULLNAME + "-primary", FULLNAME + "-secondary");
        Map<String, Object> primaryTrigger = trigger(scaledObjects, FULLNAME + "-primary");
        assertThat(primaryTrigger).containsEntry("serverAddress", "http://prometheus-operated.monitoring.svc:9090")
                .containsEntry("threshold", "5000");
        assertThat((String) primaryTrigger.get("query")).contains("email_listener_subscriptions_active",
                "namespace=\"mail\"");
        Map<String, Object> secondaryTrigger = trigger(scaledObjects, FULLNAME + "-secondary");
        assertThat((String) secondaryTrigger.get("query")).contains("email_listener_sync_queue_depth");
        assertThat(secondaryTrigger).containsEntry("threshold", "100");
        assertThat(manifests.primary().getSpec().getReplicas()).isNull();
    }

    @Test
    void kedaNeedsPrometheusAddress() {
        assertThatThrownBy(() -> render(Map.of("autoscaling.keda.enabled", true), REQUIRED))
                .hasMessageContaining("autoscaling.keda.prometheusServerAddress is required");
    }

    @Test
    void refusesHpaAndKedaTogether() {
        assertThatThrownBy(() -> render(Map.of("autoscaling.hpa.enabled", true), REQUIRED, "keda.yaml"))
                .hasMessageContaining("enable either hpa or keda, not both");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> trigger(List<GenericKubernetesResource> scaledObjects, String name) {
        GenericKubernetesResource scaledObject = scaledObjects.stream()
                .filter(o -> o.getMetadata().getName().equals(name)).findFirst().orElseThrow();
        List<Map<String, Object>> triggers = (List<Map<String, Object>>) HelmChartTest.spec(scaledObject).get("triggers");
        assertThat(triggers).singleElement().satisfies(trigger -> assertThat(trigger).containsEntry("type", "prometheus"));
        return (Map<String, Object>) triggers.getFirst().get("metadata");
    }
}
