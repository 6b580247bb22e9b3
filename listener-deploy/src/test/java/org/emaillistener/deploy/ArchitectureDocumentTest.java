package org.emaillistener.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.emaillistener.common.jobs.SyncJobProperties;
import org.emaillistener.common.rabbitmq.SyncQueueProperties;
import org.emaillistener.common.rabbitmq.SyncQueueTopology;
import org.emaillistener.common.redis.RedisKeys;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Exchange;
import org.springframework.amqp.core.Queue;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;

/**
 * docs/architecture.md names what the code names: every Redis key it mentions is one {@link RedisKeys}
 * makes and every key {@code RedisKeys} makes is mentioned; likewise the RabbitMQ exchange and queues
 * {@link SyncQueueTopology} declares, and the ports and adapters of {@code listener-common}.
 */
class ArchitectureDocumentTest {

    private static final MarkdownPage ARCHITECTURE = MarkdownPage.doc("architecture.md");
    /** A key as the page writes it: {@code el:} and segments, a placeholder ({@code {id}}) or a word each. */
    private static final Pattern KEY =
            Pattern.compile("(?<![\\w-])el:[a-z][a-z-]*(?::(?:\\{[^}\\s]*\\}|[a-z][a-z-]*))*");
    /** A queue as the page writes it: the exchange's name and dotted words ({@code <ms>} for a delay). */
    private static final Pattern QUEUE = Pattern.compile("(?<![\\w/-])email-listener(?:\\.(?:[a-z]+|<ms>ms))+");
    /** The exchange, written alone in code quotes (the project's own name is written without). */
    private static final Pattern EXCHANGE = Pattern.compile("`(email-listener)`");
    private static final Pattern DELAY = Pattern.compile("\\.delay\\.\\d+ms$");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{[^}]*\\}");
    private static final String ADAPTERS = "org.emaillistener.common.";
    private static final List<String> ADAPTER_PACKAGES = List.of("memory", "redis", "rabbitmq");

    @Test
    void everyRedisKeyTheCodeMakesIsDocumented() {
        assertThat(documentedKeys()).as("Redis keys in docs/architecture.md").containsAll(codeKeys());
    }

    @Test
    void everyRedisKeyTheDocumentNamesIsOneTheCodeMakes() {
        assertThat(codeKeys()).as("Redis keys RedisKeys makes").containsAll(documentedKeys());
    }

    @Test
    void everyExchangeAndQueueTheCodeDeclaresIsDocumented() {
        assertThat(documentedQueues()).as("exchange and queues in docs/architecture.md").containsAll(declaredQueues());
    }

    @Test
    void everyExchangeAndQueueTheDocumentNamesIsOneTheCodeDeclares() {
        assertThat(declaredQueues()).as("exchange and queues SyncQueueTopology declares")
                .containsAll(documentedQueues());
    }

    @Test
    void everyPortOfTheTableIsAnInterfaceThatItsAdaptersImplement() throws ClassNotFoundException {
        for (Map.Entry<String, Set<String>> port : documentedPorts().entrySet()) {
            Class<?> type = Class.forName(port.getKey());
            assertThat(type.isInterface()).as("%s is an interface", port.getKey()).isTrue();
            for (String adapter : port.getValue()) {
                assertThat(type).as("%s implements %s", adapter, port.getKey())
                        .isAssignableFrom(Class.forName(adapter));
            }
        }
    }

    @Test
    void everyAdapterOfAPortIsInTheTable() {
        Map<String, Set<String>> documented = documentedPorts();
        Map<String, Set<String>> implemented = new TreeMap<>();
        for (String adapter : adapterClasses()) {
            for (Class<?> port : loaded(adapter).getInterfaces()) {
                if (port.getName().startsWith("org.emaillistener.") && port.getEnclosingClass() == null) {
                    implemented.computeIfAbsent(port.getName(), name -> new TreeSet<>()).add(adapter);
                }
            }
        }
        assertThat(documented).as("the ports and adapters table of docs/architecture.md").isEqualTo(implemented);
    }

    /** The keys of the page, each placeholder made {@code {}}. */
    private static Set<String> documentedKeys() {
        Set<String> keys = new TreeSet<>();
        Matcher key = KEY.matcher(ARCHITECTURE.text());
        while (key.find()) {
            keys.add(PLACEHOLDER.matcher(key.group()).replaceAll("{}"));
        }
        return keys;
    }

    /**
     * Every key a public method of {@link RedisKeys} makes with the default prefix, its arguments made
     * {@code {}}; the prefix itself and what goes in front of other keys ({@code …Prefix}) are no keys.
     */
    private static Set<String> codeKeys() {
        RedisKeys redisKeys = new RedisKeys("el:");
        Set<String> keys = new TreeSet<>();
        for (Method method : RedisKeys.class.getDeclaredMethods()) {
            if (!Modifier.isPublic(method.getModifiers()) || Modifier.isStatic(method.getModifiers())
                    || method.getReturnType() != String.class || method.getName().toLowerCase().endsWith("prefix")) {
                continue;
            }
            List<String> samples = new ArrayList<>();
            Object[] arguments = new Object[method.getParameterCount()];
            for (int i = 0; i < arguments.length; i++) {
                Class<?> type = method.getParameterTypes()[i];
                arguments[i] = type == UUID.class ? UUID.randomUUID() : "sample" + i;
                samples.add(arguments[i].toString());
            }
            String key;
            try {
                key = (String) method.invoke(redisKeys, arguments);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(method.toString(), e);
            }
            for (String sample : samples) {
                key = key.replace(sample, "{}");
            }
            keys.add(key);
        }
        return keys;
    }

    private static Set<String> documentedQueues() {
        Set<String> names = new TreeSet<>();
        Matcher queue = QUEUE.matcher(ARCHITECTURE.text());
        while (queue.find()) {
            names.add(queue.group());
        }
        Matcher exchange = EXCHANGE.matcher(ARCHITECTURE.text());
        while (exchange.find()) {
            names.add(exchange.group(1));
        }
        return names;
    }

    /** The names of what the topology declares with the default settings, each delay queue's step as {@code <ms>}. */
    private static Set<String> declaredQueues() {
        Binder defaults = new Binder(new MapConfigurationPropertySource());
        SyncQueueProperties queue = defaults.bindOrCreate("listener.rabbitmq", SyncQueueProperties.class);
        SyncJobProperties jobs = defaults.bindOrCreate("listener.jobs", SyncJobProperties.class);
        Set<String> names = new TreeSet<>();
        SyncQueueTopology.declarables(queue, jobs).getDeclarables().forEach(declarable -> {
            if (declarable instanceof Exchange exchange) {
                names.add(exchange.getName());
            } else if (declarable instanceof Queue declared) {
                names.add(DELAY.matcher(declared.getName()).replaceAll(".delay.<ms>ms"));
            }
        });
        return names;
    }

    /** The table of "Ports and adapters": each port's class, to its adapters' classes. */
    private static Map<String, Set<String>> documentedPorts() {
        Map<String, Set<String>> ports = new TreeMap<>();
        for (List<String> row : MarkdownPage.tableRows(ARCHITECTURE.section("Ports and adapters"))) {
            String port = "org.emaillistener." + unquoted(row.get(1)) + "." + unquoted(row.get(0));
            Set<String> adapters = new TreeSet<>();
            for (String cell : row.subList(3, 5)) {
                adapters.add(adapterClass(unquoted(cell)));
            }
            ports.put(port, adapters);
        }
        return ports;
    }

    private static String adapterClass(String simpleName) {
        for (String adapter : adapterClasses()) {
            if (adapter.endsWith("." + simpleName)) {
                return adapter;
            }
        }
        throw new IllegalArgumentException("No adapter class " + simpleName + " in " + ADAPTERS + ADAPTER_PACKAGES);
    }

    /** The top-level classes of the adapter packages. */
    private static Set<String> adapterClasses() {
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
        scanner.addIncludeFilter((reader, factory) -> !reader.getClassMetadata().hasEnclosingClass());
        Set<String> classes = new TreeSet<>();
        for (String adapterPackage : ADAPTER_PACKAGES) {
            for (BeanDefinition candidate : scanner.findCandidateComponents(ADAPTERS + adapterPackage)) {
                classes.add(candidate.getBeanClassName());
            }
        }
        return classes;
    }

    private static Class<?> loaded(String name) {
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String unquoted(String cell) {
        return cell.replace("`", "").strip();
    }
}
