package org.emaillistener.common.rabbitmq;

import org.emaillistener.common.jobs.SyncJobProperties;
import org.emaillistener.common.jobs.SyncJobs;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionNameStrategy;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.amqp.autoconfigure.CachingConnectionFactoryConfigurer;
import org.springframework.boot.amqp.autoconfigure.RabbitConnectionDetails;
import org.springframework.boot.amqp.autoconfigure.RabbitProperties;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the RabbitMQ sync-job queue when {@code listener.queue=rabbitmq}, on the connection Spring
 * Boot configures from {@code spring.rabbitmq.*}, with publisher confirms and returns always on.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "listener.queue", havingValue = "rabbitmq")
@EnableConfigurationProperties(SyncQueueProperties.class)
public class RabbitMqAdapters {

    /** Takes the place of Boot's own configurer, which backs off when one is defined. */
    @Bean
    CachingConnectionFactoryConfigurer confirmingConnectionFactoryConfigurer(RabbitProperties properties,
            RabbitConnectionDetails connectionDetails, ObjectProvider<ConnectionNameStrategy> connectionNameStrategy) {
        ConfirmingConnectionFactoryConfigurer configurer = new ConfirmingConnectionFactoryConfigurer(properties,
                connectionDetails);
        configurer.setConnectionNameStrategy(connectionNameStrategy.getIfUnique());
        return configurer;
    }

    @Bean
    Declarables syncQueueTopology(SyncQueueProperties queue, SyncJobProperties jobs) {
        return SyncQueueTopology.declarables(queue, jobs);
    }

    @Bean
    SyncJobs syncJobs(ConnectionFactory connectionFactory, AmqpAdmin admin, SyncQueueProperties queue,
            SyncJobProperties jobs) {
        return new RabbitSyncJobs(connectionFactory, admin, queue, jobs);
    }
}
