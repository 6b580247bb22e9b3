package org.emaillistener.common;

import org.springframework.boot.autoconfigure.AutoConfigurationImportFilter;
import org.springframework.boot.autoconfigure.AutoConfigurationMetadata;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;

/**
 * Leaves Spring Boot's Redis auto-configuration (connection factory, templates, health indicator,
 * observation) out unless {@code listener.store=redis}, and its RabbitMQ one unless
 * {@code listener.queue=rabbitmq}. Both client libraries are always on the classpath; without this
 * the in-memory setup would report servers it never uses as down in its health.
 */
public class AdapterAutoConfigurationFilter implements AutoConfigurationImportFilter, EnvironmentAware {

    private static final String REDIS = "org.springframework.boot.data.redis.";
    private static final String RABBITMQ = "org.springframework.boot.amqp.";

    private Environment environment;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public boolean[] match(String[] autoConfigurationClasses, AutoConfigurationMetadata metadata) {
        boolean redis = selected("listener.store", "redis");
        boolean rabbitMq = selected("listener.queue", "rabbitmq");
        boolean[] matches = new boolean[autoConfigurationClasses.length];
        for (int i = 0; i < autoConfigurationClasses.length; i++) {
            String candidate = autoConfigurationClasses[i];
            matches[i] = candidate == null
                    || (redis || !candidate.startsWith(REDIS)) && (rabbitMq || !candidate.startsWith(RABBITMQ));
        }
        return matches;
    }

    private boolean selected(String property, String adapter) {
        return adapter.equalsIgnoreCase(environment.getProperty(property, "memory").strip());
    }
}
