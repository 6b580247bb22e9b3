package org.emaillistener.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The properties the applications read, as every {@code META-INF/spring-configuration-metadata.json} on
 * the classpath lists them (Spring Boot's modules, and listener-common, -primary and -secondary, whose
 * {@code @ConfigurationProperties} records the configuration processor describes), and the environment
 * variables that bind to them, decided by Spring's own relaxed binding rather than by a copy of its rules.
 * The metadata names a list of records only as the list ({@code listener.graph.tenants}); an element's
 * properties are its record's components, at any index.
 */
final class ConfigurationMetadata {

    /** Environment variables the applications or the JVM read that are no Spring property. */
    static final Set<String> NOT_PROPERTIES = Set.of(
            "JAVA_TOOL_OPTIONS",
            // Creatio's deployment names (docs/creatio-protocol.md, "Deployment names Creatio admins already know").
            "PodName", "MaxBpmonlineDownTime",
            "ExchangeListenerRedisHost", "ExchangeListenerRedisDatabase", "ExchangeListenerRedisPassword");

    private static final String METADATA = "META-INF/spring-configuration-metadata.json";
    private static final Pattern LIST = Pattern.compile("java\\.util\\.List<([\\w.$]+)>");

    /** Property name to the class that declares it (empty when the metadata names none). */
    private final Map<String, String> sourceTypes;
    /** The properties that are lists of records, to the record class. */
    private final Map<String, Class<?>> recordLists;

    /** The properties that are maps (an entry per key: {@code logging.level.<logger>}). */
    private final Set<String> maps;
    /** The default the metadata gives a property, as JSON (a list's is an array); absent when it gives none. */
    private final Map<String, JsonNode> defaults;

    private ConfigurationMetadata(Map<String, String> sourceTypes, Map<String, Class<?>> recordLists,
            Set<String> maps, Map<String, JsonNode> defaults) {
        this.sourceTypes = sourceTypes;
        this.recordLists = recordLists;
        this.maps = maps;
        this.defaults = defaults;
    }

    static ConfigurationMetadata load() {
        JsonMapper json = JsonMapper.builder().build();
        Map<String, String> sourceTypes = new TreeMap<>();
        Map<String, Class<?>> recordLists = new TreeMap<>();
        Set<String> maps = new TreeSet<>();
        Map<String, JsonNode> defaults = new TreeMap<>();
        try {
            for (URL file : Collections.list(ConfigurationMetadata.class.getClassLoader().getResources(METADATA))) {
                try (InputStream in = file.openStream()) {
                    for (JsonNode property : json.readTree(in).path("properties")) {
                        String name = property.path("name").asString();
                        sourceTypes.put(name, property.path("sourceType").asString(""));
                        recordOfList(property.path("type").asString("")).ifPresent(type -> recordLists.put(name, type));
                        if (property.path("type").asString("").startsWith("java.util.Map<")) {
                            maps.add(name);
                        }
                        if (property.has("defaultValue")) {
                            defaults.put(name, property.get("defaultValue"));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ConfigurationMetadata(sourceTypes, recordLists, maps, defaults);
    }

    private static Optional<Class<?>> recordOfList(String type) {
        Matcher list = LIST.matcher(type);
        if (!list.matches()) {
            return Optional.empty();
        }
        try {
            Class<?> element = Class.forName(list.group(1), false, ConfigurationMetadata.class.getClassLoader());
            return element.isRecord() ? Optional.of(element) : Optional.empty();
        } catch (ClassNotFoundException e) {
            return Optional.empty();
        }
    }

    /** Whether any metadata file names this property. */
    boolean describes(String property) {
        return sourceTypes.containsKey(property);
    }

    /**
     * Every property whose name starts with the prefix, a list of records' as its elements' properties
     * at index {@code n} ({@code listener.graph.tenants[n].client-id}).
     */
    Set<String> propertiesStartingWith(String prefix) {
        Set<String> properties = new TreeSet<>();
        for (String property : sourceTypes.keySet()) {
            if (!property.startsWith(prefix)) {
                continue;
            }
            Class<?> element = recordLists.get(property);
            if (element == null) {
                properties.add(property);
            } else {
                for (var component : element.getRecordComponents()) {
                    properties.add(property + "[n]." + DataObjectPropertyName.toDashedForm(component.getName()));
                }
            }
        }
        return properties;
    }

    /** The default the metadata gives the property, each of a list's elements apart; empty when it gives none. */
    List<String> defaultOf(String property) {
        JsonNode value = defaults.get(property);
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (value.isArray()) {
            List<String> elements = new ArrayList<>();
            value.forEach(element -> elements.add(element.asString()));
            return elements;
        }
        String text = value.asString();
        if (text.startsWith("[") && text.endsWith("]")) {
            // The processor writes a record's @DefaultValue list as its toString: [a, b].
            String elements = text.substring(1, text.length() - 1).strip();
            return elements.isEmpty() ? List.of() : List.of(elements.split(",\\s*"));
        }
        return text.isEmpty() ? List.of() : List.of(text);
    }

    /** Whether the metadata names this property, or it is a property of a list's element at index {@code n}. */
    boolean describesOrElement(String property) {
        int element = property.indexOf("[n].");
        return element < 0 ? describes(property)
                : propertiesStartingWith(property.substring(0, element)).contains(property);
    }

    /** Whether the role's application declares some property of its own (not only Spring Boot's). */
    boolean describesPropertiesOf(ListenerRole role) {
        return sourceTypes.values().stream().anyMatch(type -> type.startsWith(role.propertiesPackage()));
    }

    /**
     * The property an environment variable sets in the role's application: one of the metadata's
     * (except those only the other role declares), or a property of a list's element.
     */
    Optional<String> propertyBoundBy(String envName, ListenerRole role) {
        ConfigurationPropertySource environment = ConfigurationPropertySource.from(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of(envName, "value")));
        ConfigurationPropertyName variable = ((IterableConfigurationPropertySource) environment).iterator().next();
        return propertiesOf(role)
                .flatMap(property -> Stream.concat(Stream.of(property), Stream.concat(
                        elementProperties(property, variable), mapEntry(property, variable))))
                .filter(property -> {
                    ConfigurationPropertyName name = ConfigurationPropertyName.ofIfValid(property);
                    return name != null && environment.getConfigurationProperty(name) != null;
                })
                .findFirst();
    }

    /** Whether the role's application (or its JVM) reads this environment variable. */
    boolean isRead(String envName, ListenerRole role) {
        return NOT_PROPERTIES.contains(envName) || propertyBoundBy(envName, role).isPresent();
    }

    /**
     * The entry of a map property the variable names by its key ({@code LOGGING_LEVEL_ORG_EXAMPLE}:
     * {@code logging.level.org.example}), as Spring binds it.
     */
    private Stream<String> mapEntry(String property, ConfigurationPropertyName variable) {
        ConfigurationPropertyName map = ConfigurationPropertyName.ofIfValid(property);
        if (!maps.contains(property) || map == null || !map.isAncestorOf(variable)) {
            return Stream.empty();
        }
        return Stream.of(variable.toString());
    }

    /** The properties of the list's element that the variable names by its index, e.g. {@code tenants[3].client-id}. */
    private Stream<String> elementProperties(String property, ConfigurationPropertyName variable) {
        Class<?> element = recordLists.get(property);
        ConfigurationPropertyName list = ConfigurationPropertyName.of(property);
        int index = list.getNumberOfElements();
        if (element == null || !list.isAncestorOf(variable) || !variable.isNumericIndex(index)) {
            return Stream.empty();
        }
        String prefix = property + "[" + variable.getElement(index, Form.ORIGINAL) + "].";
        return Stream.of(element.getRecordComponents())
                .map(component -> prefix + DataObjectPropertyName.toDashedForm(component.getName()));
    }

    private Stream<String> propertiesOf(ListenerRole role) {
        return sourceTypes.entrySet().stream()
                .filter(property -> Stream.of(ListenerRole.values())
                        .filter(other -> other != role)
                        .noneMatch(other -> property.getValue().startsWith(other.propertiesPackage())))
                .map(Map.Entry::getKey)
                .filter(Objects::nonNull);
    }
}
