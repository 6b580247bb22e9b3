package org.emaillistener.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.context.ConfigurableApplicationContext;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Each application says which build it is: {@code /actuator/info} and {@code email_listener_build_info}. */
class BuildInfoTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @ParameterizedTest
    @EnumSource(ListenerRole.class)
    void infoAndTheBuildInfoMetricNameTheVersionAndTheCommit(ListenerRole role) throws Exception {
        try (ConfigurableApplicationContext app = role.start()) {
            int port = ListenerRole.managementPort(app);

            JsonNode info = JsonMapper.builder().build().readTree(get(port, "/actuator/info"));
            String version = info.path("build").path("version").asString();
            String commit = info.path("git").path("commit").path("id").asString();
            assertThat(version).matches("\\d+\\.\\d+\\.\\d+.*");
            assertThat(commit).matches("[0-9a-f]{7,}");
            assertThat(get(port, "/actuator/prometheus")).containsPattern("(?m)^email_listener_build_info\\{commit=\""
                    + commit.substring(0, 7) + "\",version=\"" + java.util.regex.Pattern.quote(version) + "\"} 1(\\.0)?$");
        }
    }

    private String get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
