package org.emaillistener.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

/**
 * {@code docker-compose.yml}, checked without a Docker engine: against the Compose Specification's
 * schema, then for what the Docker Compose walkthrough (docs/deployment.md) relies on.
 */
class ComposeFileTest {

    private final ComposeFile compose = ComposeFile.load();

    @Test
    void followsTheComposeSpecification() {
        // compose-spec.json: the Compose Specification's JSON Schema (draft-07, Apache-2.0), from
        // compose-spec/compose-spec at commit 170098ba07d9f53c383a41bfd4c5166b0a4529a6 (2026-06-23).
        assertThat(getClass().getResource("/compose-spec.json")).as("compose-spec.json on the test classpath").isNotNull();
        Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7)
                .getSchema(SchemaLocation.of("classpath:compose-spec.json"));

        List<Error> errors = schema.validate(compose.asJson());

        assertThat(errors).extracting(Error::toString).isEmpty();
    }

    @Test
    void runsTheListenerWithEverythingItNeeds() {
        assertThat(compose.services()).containsOnlyKeys("redis", "rabbitmq", "greenmail", "creatio-standin",
                "primary", "secondary");
        assertThat(compose.service("redis").get("image")).asString().startsWith("redis:7");
        assertThat(compose.service("rabbitmq").get("image")).isEqualTo("rabbitmq:3.13-management");
        assertThat(compose.service("greenmail").get("image")).asString().startsWith("greenmail/standalone:");
        assertThat(compose.environment("greenmail").get("GREENMAIL_OPTS")).asString()
                .contains("-Dgreenmail.users=alice:alice@example.com,bob:bob@example.com",
                        "-Dgreenmail.hostname=0.0.0.0");
    }

    @Test
    void buildsTheListenerFromTheDockerfilesTargets() {
        for (ListenerRole role : ListenerRole.values()) {
            String service = compose.serviceOf(role).orElseThrow();
            assertThat(service).isEqualTo(role.role);
            assertThat(DockerfileTest.stages()).contains(role.role);
            // GIT_COMMIT: the commit the image says it is of (its build context has no .git).
            assertThat(compose.service(service).get("build")).isEqualTo(Map.of("context", ".", "target", role.role,
                    "args", Map.of("GIT_COMMIT", "${GIT_COMMIT:-}")));
        }
    }

    @Test
    void publishesTheApiTheMailServerAndTheBrokersConsole() {
        assertThat(compose.service("primary").get("ports")).asList().contains("8080:8080");
        assertThat(compose.service("secondary").get("ports")).asList().contains("8081:8081");
        assertThat(compose.service("greenmail").get("ports")).asList().contains("3025:3025", "3143:3143");
        assertThat(compose.service("rabbitmq").get("ports")).asList().contains("15672:15672");
    }

    @Test
    void everyServiceHasAHealthCheck() {
        compose.services().keySet().forEach(service ->
                assertThat(compose.healthCheck(service)).as(service).isNotEmpty().first().isIn("CMD", "CMD-SHELL"));
    }

    @Test
    void theListenerStartsOnlyOnceWhatItTalksToIsHealthy() {
        for (ListenerRole role : ListenerRole.values()) {
            assertThat(compose.service(role.role).get("depends_on")).isEqualTo(Map.of(
                    "redis", Map.of("condition", "service_healthy"),
                    "rabbitmq", Map.of("condition", "service_healthy"),
                    "greenmail", Map.of("condition", "service_healthy"),
                    "creatio-standin", Map.of("condition", "service_healthy")));
        }
    }

    @Test
    void theListenerRunsSplitOnRedisAndRabbitMq() {
        for (ListenerRole role : ListenerRole.values()) {
            Map<String, Object> environment = compose.environment(role.role);
            assertThat(environment).containsEntry("LISTENER_STORE", "redis").containsEntry("LISTENER_QUEUE", "rabbitmq")
                    .containsEntry("SPRING_DATA_REDIS_HOST", "redis").containsEntry("SPRING_RABBITMQ_HOST", "rabbitmq")
                    .containsEntry("LISTENER_RABBITMQ_QUORUM", "true");
            assertThat(environment.get("SPRING_RABBITMQ_PASSWORD"))
                    .isEqualTo(compose.environment("rabbitmq").get("RABBITMQ_DEFAULT_PASS"));
            assertThat((String) environment.get("LISTENER_SECURITY_ENCRYPTION_KEY")).matches("[A-Za-z0-9+/]{43}=");
        }
    }

    @Test
    void theListenerMayCallBackOnlyTheCreatioStandIn() {
        for (ListenerRole role : ListenerRole.values()) {
            assertThat(compose.environment(role.role)).containsEntry("LISTENER_CALLBACKS_ALLOWED_HOSTS", "creatio-standin");
        }
        assertThat(compose.content().toString()).contains("/0/ServiceModel/ExchangeListenerService.svc/");
    }

    @Test
    void theListenerRunsOnAReadOnlyRootFilesystemWithAWritableTmp() {
        for (ListenerRole role : ListenerRole.values()) {
            assertThat(compose.service(role.role)).containsEntry("read_only", true).containsEntry("tmpfs", List.of("/tmp"));
        }
    }

    @Test
    void theListenersHealthCheckAsksItsReadinessGroupOnItsManagementPort() {
        for (ListenerRole role : ListenerRole.values()) {
            String check = String.join(" ", compose.healthCheck(role.role));
            assertThat(check).contains("/dev/tcp/127.0.0.1/" + role.ownManagementPort(),
                    "GET /actuator/health/readiness ");
        }
    }

    /** The request path in a compose health check that talks HTTP over bash's /dev/tcp. */
    static String healthCheckPath(ComposeFile compose, String service) {
        var path = Pattern.compile("GET (\\S+) HTTP").matcher(String.join(" ", compose.healthCheck(service)));
        assertThat(path.find()).as("an HTTP request in the health check of " + service).isTrue();
        return path.group(1);
    }
}
