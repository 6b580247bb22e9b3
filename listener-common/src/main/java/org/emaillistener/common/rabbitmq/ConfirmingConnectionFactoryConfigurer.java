package org.emaillistener.common.rabbitmq;

import java.util.concurrent.Executors;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory.ConfirmType;
import org.springframework.boot.amqp.autoconfigure.CachingConnectionFactoryConfigurer;
import org.springframework.boot.amqp.autoconfigure.RabbitConnectionDetails;
import org.springframework.boot.amqp.autoconfigure.RabbitProperties;

/**
 * Spring Boot's configuration of the RabbitMQ connection factory from {@code spring.rabbitmq.*}, plus
 * what {@link RabbitSyncJobs#publish} relies on whatever those say: correlated publisher confirms and
 * returns. The client's callbacks run on virtual threads: its default pool starts a platform thread
 * per busy channel, and thousands of subscriptions publishing at once (a primary connecting 10,000
 * mailboxes) left almost 600 of them.
 */
class ConfirmingConnectionFactoryConfigurer extends CachingConnectionFactoryConfigurer {

    ConfirmingConnectionFactoryConfigurer(RabbitProperties properties, RabbitConnectionDetails connectionDetails) {
        super(properties, connectionDetails);
    }

    @Override
    public void configure(CachingConnectionFactory connectionFactory, RabbitProperties properties) {
        super.configure(connectionFactory, properties);
        connectionFactory.setPublisherConfirmType(ConfirmType.CORRELATED);
        connectionFactory.setPublisherReturns(true);
        connectionFactory.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    }
}
