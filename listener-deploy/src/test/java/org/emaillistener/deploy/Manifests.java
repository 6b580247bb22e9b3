package org.emaillistener.deploy;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.Serialization;

/** The objects one rendering of the chart produced, typed where fabric8 knows the kind. */
record Manifests(List<HasMetadata> objects) {

    static Manifests parse(String yaml) {
        Object parsed = Serialization.unmarshal(yaml);
        if (parsed instanceof List<?> list) {
            return new Manifests(list.stream().map(HasMetadata.class::cast).toList());
        }
        return new Manifests(List.of((HasMetadata) parsed));
    }

    Set<String> kinds() {
        return new TreeSet<>(objects.stream().map(HasMetadata::getKind).toList());
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> T one(Class<T> type, String name) {
        return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("No " + type.getSimpleName() + " " + name + " in " + names()));
    }

    /** Objects of kinds fabric8 does not model (ServiceMonitor, ScaledObject). */
    List<GenericKubernetesResource> custom(String kind) {
        return all(GenericKubernetesResource.class).stream().filter(o -> o.getKind().equals(kind)).toList();
    }

    StatefulSet primary() {
        return one(StatefulSet.class, EmailListenerChart.FULLNAME + "-primary");
    }

    Deployment secondary() {
        return one(Deployment.class, EmailListenerChart.FULLNAME + "-secondary");
    }

    PodSpec podSpec(ListenerRole role) {
        return switch (role) {
            case PRIMARY -> primary().getSpec().getTemplate().getSpec();
            case SECONDARY -> secondary().getSpec().getTemplate().getSpec();
        };
    }

    /** The application's container in the role's pods. */
    Container container(ListenerRole role) {
        return podSpec(role).getContainers().stream().filter(c -> c.getName().equals(role.role)).findFirst()
                .orElseThrow(() -> new AssertionError("No container " + role.role));
    }

    List<EnvVar> env(ListenerRole role) {
        return container(role).getEnv();
    }

    EnvVar env(ListenerRole role, String name) {
        return env(role).stream().filter(e -> e.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("No env " + name + " in the " + role.role + " container"));
    }

    private List<String> names() {
        return objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList();
    }
}
