package org.emaillistener.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.emaillistener.deploy.EmailListenerChart.FULLNAME;
import static org.emaillistener.deploy.EmailListenerChart.REQUIRED;
import static org.emaillistener.deploy.EmailListenerChart.render;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;

/**
 * An operator upgrading from Creatio's Email Listener keeps their values file: the original chart's
 * names (docs/creatio-protocol.md, "Deployment names Creatio admins already know") are taken as aliases of
 * this chart's, checked by its schema like its own.
 */
class HelmOriginalValuesTest {

    private final Manifests original = render(REQUIRED, "original-chart.yaml");

    @Test
    void replicaCountsAreTheOriginalsOnes() {
        assertThat(original.primary().getSpec().getReplicas()).isEqualTo(3);
        assertThat(original.secondary().getSpec().getReplicas()).isEqualTo(4);
    }

    @ParameterizedTest
    @EnumSource(ListenerRole.class)
    void redisAndRabbitMqComeFromTheOriginalsSettings(ListenerRole role) {
        // Redis.Connection, the 8.0 form, is read after env.* (1.0.x) and wins.
        assertThat(value(role, "SPRING_DATA_REDIS_HOST")).isEqualTo("redis-legacy.creatio.svc");
        assertThat(value(role, "SPRING_DATA_REDIS_PORT")).isEqualTo("6390");
        assertThat(value(role, "SPRING_DATA_REDIS_DATABASE")).isEqualTo("5");
        assertThat(value(role, "SPRING_DATA_REDIS_SSL_ENABLED")).isEqualTo("true");
        assertThat(value(role, "SPRING_RABBITMQ_HOST")).isEqualTo("rabbitmq.creatio.svc");
        assertThat(value(role, "SPRING_RABBITMQ_PORT")).isEqualTo("5673");
        assertThat(value(role, "SPRING_RABBITMQ_VIRTUAL_HOST")).isEqualTo("/creatio");
        assertThat(value(role, "SPRING_RABBITMQ_USERNAME")).isEqualTo("creatio");
        assertThat(value(role, "LOGGING_LEVEL_ORG_EMAILLISTENER")).isEqualTo("DEBUG");
        assertThat(original.env(role, "SPRING_DATA_REDIS_PASSWORD").getValueFrom().getSecretKeyRef().getName())
                .isEqualTo(FULLNAME);
        assertThat(original.env(role)).extracting(EnvVar::getValue).filteredOn(java.util.Objects::nonNull)
                .noneMatch(v -> v.contains("legacy-redis-secret") || v.contains("legacy-rabbit-secret"));
    }

    @Test
    void thePasswordsGoToTheChartsSecret() {
        Secret secret = original.one(Secret.class, FULLNAME);

        assertThat(decoded(secret, "redis-password")).isEqualTo("legacy-redis-secret");
        assertThat(decoded(secret, "rabbitmq-password")).isEqualTo("legacy-rabbit-secret");
    }

    @Test
    void the1_0ChartsRedisSettingsAreTakenToo() {
        Manifests manifests = render(Map.of("env.host", "redis.creatio.svc", "env.port", 6380, "env.base", 2), REQUIRED);

        assertThat(manifests.env(ListenerRole.PRIMARY, "SPRING_DATA_REDIS_HOST").getValue()).isEqualTo("redis.creatio.svc");
        assertThat(manifests.env(ListenerRole.PRIMARY, "SPRING_DATA_REDIS_PORT").getValue()).isEqualTo("6380");
        assertThat(manifests.env(ListenerRole.PRIMARY, "SPRING_DATA_REDIS_DATABASE").getValue()).isEqualTo("2");
    }

    @Test
    void theApiServiceIsTheOriginalsPort80OnTheNodePortAsked() {
        Service api = original.one(Service.class, FULLNAME + "-primary");

        assertThat(api.getSpec().getType()).isEqualTo("NodePort");
        assertThat(api.getSpec().getPorts()).singleElement().satisfies(port -> {
            assertThat(port.getPort()).isEqualTo(80);
            assertThat(port.getNodePort()).isEqualTo(30080);
        });
    }

    @Test
    void theIngressServesTheOriginalsPathRewrittenToTheRoot() {
        Ingress ingress = original.one(Ingress.class, FULLNAME);

        assertThat(ingress.getMetadata().getAnnotations())
                .containsEntry("nginx.ingress.kubernetes.io/rewrite-target", "/$2")
                .containsEntry("nginx.ingress.kubernetes.io/use-regex", "true");
        assertThat(ingress.getSpec().getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getHost()).as("any host, as the original's").isNull();
            assertThat(rule.getHttp().getPaths()).singleElement().satisfies(path -> {
                assertThat(path.getPath()).isEqualTo("/exchangelistener(/|$)(.*)");
                assertThat(path.getPathType()).isEqualTo("ImplementationSpecific");
                assertThat(path.getBackend().getService().getName()).isEqualTo(FULLNAME + "-primary");
            });
        });
    }

    @Test
    void theOriginalsNamesAreCheckedAsStrictlyAsTheChartsOwn() {
        for (Map<String, Object> wrong : java.util.List.<Map<String, Object>>of(Map.of("ReplicaCount", "three"),
                Map.of("env.prot", 6379), Map.of("RabbitMQ.AmqpPort", 70000), Map.of("log4Net.level", "Verbose"),
                Map.of("Redis.Connection", ""), Map.of("service.nodePort", 80))) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> render(wrong, REQUIRED)).as(wrong.toString())
                    .hasMessageContaining("schema");
        }
    }

    private String value(ListenerRole role, String name) {
        return original.env(role, name).getValue();
    }

    private static String decoded(Secret secret, String key) {
        return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }
}
