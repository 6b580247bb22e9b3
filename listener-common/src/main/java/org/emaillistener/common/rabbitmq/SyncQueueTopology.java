package org.emaillistener.common.rabbitmq;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.DirectExchange;
import org.springframework.amqp.core.ExchangeBuilder;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;

/**
 * The exchange and queues of sync jobs, declared by Spring's {@code RabbitAdmin} whenever a
 * connection opens. The sync queue dead-letters through the same exchange to the dead-letter queue.
 * <p>
 * Quorum: {@code x-queue-type=quorum}, {@code x-delivery-limit} from {@code listener.jobs.delivery-limit},
 * {@code x-dead-letter-strategy=at-least-once} (the broker keeps a job until the dead-letter queue
 * confirmed it), which requires {@code x-overflow=reject-publish}. Classic: the dead-letter exchange
 * only; the delivery count is then kept by the consumer (see {@link RabbitSyncJobs}).
 * <p>
 * RabbitMQ refuses to redeclare a queue with other arguments: switching an existing queue between
 * quorum and classic, or changing its delivery limit, means deleting it first (when it is empty).
 */
final class SyncQueueTopology {

    private SyncQueueTopology() {
    }

    static Declarables declarables(SyncQueueProperties queue, int deliveryLimit) {
        DirectExchange exchange = ExchangeBuilder.directExchange(queue.exchange()).durable(true).build();
        Map<String, Object> syncArguments = new LinkedHashMap<>();
        syncArguments.put("x-queue-type", queue.quorum() ? "quorum" : "classic");
        syncArguments.put("x-dead-letter-exchange", queue.exchange());
        syncArguments.put("x-dead-letter-routing-key", queue.deadLetterQueue());
        if (queue.quorum()) {
            syncArguments.put("x-delivery-limit", deliveryLimit);
            syncArguments.put("x-dead-letter-strategy", "at-least-once");
            syncArguments.put("x-overflow", "reject-publish");
        }
        Queue sync = QueueBuilder.durable(queue.queue()).withArguments(syncArguments).build();
        Queue dead = QueueBuilder.durable(queue.deadLetterQueue())
                .withArgument("x-queue-type", queue.quorum() ? "quorum" : "classic")
                .build();
        Binding syncBinding = BindingBuilder.bind(sync).to(exchange).with(queue.queue());
        Binding deadBinding = BindingBuilder.bind(dead).to(exchange).with(queue.deadLetterQueue());
        return new Declarables(exchange, sync, dead, syncBinding, deadBinding);
    }
}
