package org.emaillistener.common.rabbitmq;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory.ConfirmType;
import org.springframework.boot.amqp.autoconfigure.CachingConnectionFactoryConfigurer;
import org.springframework.boot.amqp.autoconfigure.RabbitConnectionDetails;
import org.springframework.boot.amqp.autoconfigure.RabbitProperties;

/**
 * Spring Boot's configuration of the RabbitMQ connection factory from {@code spring.rabbitmq.*}, plus
 * what {@link RabbitSyncJobs#publish} relies on whatever those say: correlated publisher confirms and
 * returns.
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
    }
}
