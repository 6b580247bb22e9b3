package org.emaillistener.deploy;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.yaml.snakeyaml.Yaml;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code docker-compose.yml} as Compose reads it: SnakeYAML resolves the YAML anchors and aliases the
 * file shares its environment with, as Compose does.
 */
record ComposeFile(Map<String, Object> content) {

    static ComposeFile load() {
        return new ComposeFile(new Yaml().load(RepositoryFiles.read(RepositoryFiles.composeFile())));
    }

    JsonNode asJson() {
        return JsonMapper.builder().build().valueToTree(content);
    }

    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> services() {
        return (Map<String, Map<String, Object>>) content.get("services");
    }

    Map<String, Object> service(String name) {
        Map<String, Object> service = services().get(name);
        if (service == null) {
            throw new AssertionError("No service " + name + " in docker-compose.yml: " + services().keySet());
        }
        return service;
    }

    /** The service built from the Dockerfile target of this role. */
    Optional<String> serviceOf(ListenerRole role) {
        return services().entrySet().stream()
                .filter(service -> service.getValue().get("build") instanceof Map<?, ?> build
                        && role.role.equals(build.get("target")))
                .map(Map.Entry::getKey)
                .findFirst();
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> environment(String service) {
        return (Map<String, Object>) service(service).getOrDefault("environment", Map.of());
    }

    @SuppressWarnings("unchecked")
    List<String> healthCheck(String service) {
        Map<String, Object> healthCheck = (Map<String, Object>) service(service).get("healthcheck");
        return healthCheck == null ? List.of() : (List<String>) healthCheck.get("test");
    }
}
