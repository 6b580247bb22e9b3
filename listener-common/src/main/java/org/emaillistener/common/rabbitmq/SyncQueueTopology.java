package org.emaillistener.common.rabbitmq;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.emaillistener.common.jobs.SyncJobProperties;

import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarable;
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
 * only. The broker's delivery limit guards against a job that kills its consumers; the count of
 * handled failures is kept by the consumer in a header (see {@link RabbitSyncJobs}).
 * <p>
 * Delay queues ({@code <queue>.delay.<ms>ms}, one per step of a ×4 ladder from the shortest to the
 * longest back-off): a job handed back waits in one with no consumer until its {@code x-message-ttl}
 * ends, and the broker dead-letters it back to the sync queue (quorum: at least once). One TTL per
 * queue keeps expiry in queue order, which is all RabbitMQ checks (it expires at the head only).
 * <p>
 * The dead-letter queue keeps jobs for {@code listener.rabbitmq.dead-letter-ttl} and at most
 * {@code dead-letter-max-length} of them (the oldest dropped beyond).
 * <p>
 * RabbitMQ refuses to redeclare a queue with other arguments: switching an existing queue between
 * quorum and classic, or changing its delivery limit or the dead letters' bounds, means deleting it
 * first (when it is empty: replay the dead letters before).
 * <p>
 * Public for the test that holds docs/architecture.md's names of the exchange and queues to the ones
 * declared here.
 */
public final class SyncQueueTopology {

    private SyncQueueTopology() {
    }

    /** The delay of each step of the ladder, shortest first. */
    static List<Duration> delays(SyncJobProperties jobs) {
        Duration shortest = min(jobs.retryInitialDelay(), jobs.deferralInitialDelay());
        Duration longest = max(jobs.retryMaxDelay(), jobs.deferralMaxDelay());
        List<Duration> delays = new ArrayList<>();
        Duration step = shortest.isPositive() ? shortest : Duration.ofMillis(100);
        while (true) {
            delays.add(step);
            if (step.compareTo(longest) >= 0) {
                return delays;
            }
            step = min(step.multipliedBy(4), longest);
        }
    }

    static String delayQueue(SyncQueueProperties queue, Duration delay) {
        return queue.queue() + ".delay." + delay.toMillis() + "ms";
    }

    public static Declarables declarables(SyncQueueProperties queue, SyncJobProperties jobs) {
        int deliveryLimit = jobs.deliveryLimit();
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
        // Bounded: dead letters an operator did not replay in time, or beyond the most kept, go.
        Queue dead = QueueBuilder.durable(queue.deadLetterQueue())
                .withArgument("x-queue-type", queue.quorum() ? "quorum" : "classic")
                .withArgument("x-message-ttl", queue.deadLetterTtl().toMillis())
                .withArgument("x-max-length", queue.deadLetterMaxLength())
                .build();
        Binding syncBinding = BindingBuilder.bind(sync).to(exchange).with(queue.queue());
        Binding deadBinding = BindingBuilder.bind(dead).to(exchange).with(queue.deadLetterQueue());
        List<Declarable> all = new ArrayList<>(List.of(exchange, sync, dead, syncBinding, deadBinding));
        for (Duration delay : delays(jobs)) {
            Map<String, Object> delayArguments = new LinkedHashMap<>();
            delayArguments.put("x-queue-type", queue.quorum() ? "quorum" : "classic");
            delayArguments.put("x-message-ttl", delay.toMillis());
            delayArguments.put("x-dead-letter-exchange", queue.exchange());
            delayArguments.put("x-dead-letter-routing-key", queue.queue());
            if (queue.quorum()) {
                delayArguments.put("x-dead-letter-strategy", "at-least-once");
                delayArguments.put("x-overflow", "reject-publish");
            }
            Queue delayed = QueueBuilder.durable(delayQueue(queue, delay)).withArguments(delayArguments).build();
            all.add(delayed);
            all.add(BindingBuilder.bind(delayed).to(exchange).with(delayed.getName()));
        }
        return new Declarables(all);
    }

    private static Duration min(Duration first, Duration second) {
        return first.compareTo(second) <= 0 ? first : second;
    }

    private static Duration max(Duration first, Duration second) {
        return first.compareTo(second) >= 0 ? first : second;
    }
}
