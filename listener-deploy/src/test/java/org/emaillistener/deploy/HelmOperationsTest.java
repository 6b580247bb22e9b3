package org.emaillistener.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.emaillistener.deploy.EmailListenerChart.FULLNAME;
import static org.emaillistener.deploy.EmailListenerChart.REQUIRED;
import static org.emaillistener.deploy.EmailListenerChart.render;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;

/** What an operator adds to the pods (bitnami's extra* values) and the chart's {@code helm test}. */
class HelmOperationsTest {

    @ParameterizedTest
    @EnumSource(ListenerRole.class)
    void extraVolumesMountsContainersAndInitContainersAreAddedAsGiven(ListenerRole role) {
        String prefix = role.role + ".";
        Manifests manifests = render(Map.of(
                prefix + "extraVolumes[0].name", "ca", prefix + "extraVolumes[0].configMap.name", "corporate-ca",
                prefix + "extraVolumeMounts[0].name", "ca", prefix + "extraVolumeMounts[0].mountPath", "/etc/ca",
                prefix + "extraContainers[0].name", "log-shipper", prefix + "extraContainers[0].image", "fluent-bit:3",
                prefix + "initContainers[0].name", "wait", prefix + "initContainers[0].image", "busybox:1.37"), REQUIRED);
        PodSpec pod = role == ListenerRole.PRIMARY ? manifests.primary().getSpec().getTemplate().getSpec()
                : manifests.secondary().getSpec().getTemplate().getSpec();

        assertThat(pod.getVolumes()).extracting(v -> v.getName()).contains("tmp", "ca");
        Container listener = manifests.container(role);
        assertThat(listener.getVolumeMounts()).extracting(m -> m.getMountPath()).contains("/tmp", "/etc/ca");
        assertThat(pod.getContainers()).extracting(Container::getName).containsExactly(role.role, "log-shipper");
        assertThat(pod.getInitContainers()).extracting(Container::getName).containsExactly("wait");
    }

    @Test
    void helmTestAsksTheApiAndReachesRedisAndRabbitMqFromAPodTheNetworkPolicyLetsIn() {
        Manifests manifests = EmailListenerChart.renderWithHooks(Map.of("api.basePath", "/k7Qx9dW2",
                "redis.host", "redis.data", "rabbitmq.host", "rabbitmq.data"), REQUIRED);
        Pod test = manifests.one(Pod.class, FULLNAME + "-test");

        assertThat(test.getMetadata().getAnnotations()).containsEntry(EmailListenerChart.HOOK_ANNOTATION, "test");
        assertThat(render(REQUIRED).all(Pod.class)).as("a hook, not an object of the release").isEmpty();
        assertThat(test.getSpec().getRestartPolicy()).isEqualTo("Never");
        Container check = test.getSpec().getContainers().getFirst();
        assertThat(check.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(check.getEnv()).extracting(EnvVar::getName).contains("API", "BASE_PATH", "REDIS", "RABBITMQ");
        assertThat(check.getEnv()).filteredOn(e -> e.getName().equals("API")).extracting(EnvVar::getValue)
                .containsExactly("http://" + FULLNAME + "-primary:80");
        assertThat(check.getEnv()).filteredOn(e -> e.getName().equals("REDIS")).extracting(EnvVar::getValue)
                .containsExactly("redis.data 6379");
        assertThat(String.join("\n", check.getCommand())).contains("/api/listeners/status", "nc -z");
        NetworkPolicy api = manifests.one(NetworkPolicy.class, FULLNAME + "-primary");
        assertThat(api.getSpec().getIngress().getFirst().getFrom()).filteredOn(peer -> peer.getPodSelector() != null)
                .singleElement().satisfies(peer -> assertThat(peer.getPodSelector().getMatchLabels())
                        .containsEntry("app.kubernetes.io/component", "test")
                        .containsEntry("app.kubernetes.io/instance", EmailListenerChart.RELEASE));
        assertThat(test.getMetadata().getLabels()).containsEntry("app.kubernetes.io/component", "test");
    }

    @Test
    void helmTestCanBeTurnedOff() {
        assertThat(EmailListenerChart.renderWithHooks(Map.of("tests.enabled", false), REQUIRED).all(Pod.class))
                .isEmpty();
    }
}
