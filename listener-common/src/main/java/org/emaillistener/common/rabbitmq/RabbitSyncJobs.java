package org.emaillistener.common.rabbitmq;

import java.io.IOException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.emaillistener.common.jobs.SyncJob;
import org.emaillistener.common.jobs.SyncJobHandler;
import org.emaillistener.common.jobs.SyncJobNotQueuedException;
import org.emaillistener.common.jobs.SyncJobProperties;
import org.emaillistener.common.jobs.SyncJobs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageBuilder;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.core.ReturnedMessage;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.amqp.rabbit.listener.api.ChannelAwareMessageListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.task.SimpleAsyncTaskExecutor;

import com.rabbitmq.client.Channel;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sync jobs in RabbitMQ. A job is a small JSON message; {@code publish} returns only once the
 * broker confirmed it (publisher confirms, and a mandatory flag so that an unroutable job is
 * returned instead of dropped), and throws otherwise.
 * <p>
 * {@code listener.jobs.concurrency} consumers, each on its own virtual thread, ack a job when the
 * handler returns. A handler that throws gets its job back after
 * {@link SyncJobProperties#retryDelay(int) the back-off}: RabbitMQ itself would requeue it at once,
 * so the consumer sleeps the back-off first. A sleeping consumer takes no further job, which keeps
 * the delay honest without a delayed-message plugin or a ladder of TTL queues; the cost is that jobs
 * failing together occupy consumers while they wait (at most {@code retry-max-delay}). The delivery
 * that reaches {@code listener.jobs.delivery-limit} is rejected without requeue, and the broker
 * dead-letters it to the dead-letter queue.
 * <p>
 * The count of deliveries: a quorum queue counts returns itself ({@code x-delivery-count}; a
 * crashed consumer's job counts too, and the queue's own {@code x-delivery-limit} stops a job that
 * kills its consumers). A classic queue does not, so there a failed job is published again with
 * Spring's {@code retry-count} header incremented and the original acked once the copy is confirmed.
 */
public class RabbitSyncJobs implements SyncJobs, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RabbitSyncJobs.class);
    /** A field this version does not know (published by a newer replica) is ignored, not dead-lettered. */
    private static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    private static final String DELIVERY_COUNT = "x-delivery-count";

    private final ConnectionFactory connectionFactory;
    private static final long DEPTH_MAX_AGE_NANOS = 5_000_000_000L;

    private final AmqpAdmin admin;
    private volatile long depthReadAt = System.nanoTime() - DEPTH_MAX_AGE_NANOS - 1;
    private volatile long depth = -1;
    private final SyncQueueProperties queue;
    private final SyncJobProperties jobs;
    private final RabbitTemplate template;
    private final Redelivery redelivery;
    private SimpleMessageListenerContainer container;
    private SyncJobHandler handler;
    private volatile boolean running;

    RabbitSyncJobs(ConnectionFactory connectionFactory, AmqpAdmin admin, SyncQueueProperties queue,
            SyncJobProperties jobs) {
        this.connectionFactory = connectionFactory;
        this.admin = admin;
        this.queue = queue;
        this.jobs = jobs;
        this.template = new RabbitTemplate(connectionFactory);
        template.setMandatory(true);
        template.setReturnsCallback(returned -> log.warn("Sync job returned by the broker: {} {}",
                returned.getReplyCode(), returned.getReplyText()));
        this.redelivery = queue.quorum() ? new BrokerRequeue() : new Republish();
    }

    @Override
    public void publish(SyncJob job) {
        Message message = MessageBuilder.withBody(JSON.writeValueAsBytes(job))
                .setContentType(MessageProperties.CONTENT_TYPE_JSON)
                .setDeliveryMode(MessageDeliveryMode.PERSISTENT)
                .setMessageId(UUID.randomUUID().toString())
                .build();
        send(message, job);
    }

    /** Sends and waits for the broker's confirm; only a positive confirm of a routed message returns. */
    private void send(Message message, SyncJob job) {
        CorrelationData correlation = new CorrelationData();
        CorrelationData.Confirm confirm;
        try {
            template.send(queue.exchange(), queue.queue(), message, correlation);
            confirm = correlation.getFuture().get(queue.confirmTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (AmqpException | ExecutionException e) {
            throw new SyncJobNotQueuedException("Sync job " + job + " not queued: " + e.getMessage(), e);
        } catch (TimeoutException e) {
            throw new SyncJobNotQueuedException("Sync job " + job + " not confirmed by the broker within "
                    + queue.confirmTimeout().toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SyncJobNotQueuedException("Interrupted while waiting for the confirm of sync job " + job, e);
        }
        if (!confirm.ack()) {
            throw new SyncJobNotQueuedException("Sync job " + job + " refused by the broker: " + confirm.reason());
        }
        ReturnedMessage returned = correlation.getReturned();
        if (returned != null) {
            throw new SyncJobNotQueuedException("Sync job " + job + " could not be routed to queue " + queue.queue()
                    + " through exchange " + queue.exchange() + ": " + returned.getReplyText());
        }
    }

    @Override
    public synchronized void consume(SyncJobHandler handler) {
        if (this.handler != null) {
            throw new IllegalStateException("a consumer is already registered");
        }
        this.handler = handler;
        if (running) {
            startConsumers();
        }
    }

    /** Read from the broker at most every few seconds, however often metrics ask. */
    @Override
    public long depth() {
        long now = System.nanoTime();
        if (now - depthReadAt > DEPTH_MAX_AGE_NANOS) {
            depthReadAt = now;
            try {
                var info = admin.getQueueInfo(queue.queue());
                depth = info == null ? -1 : info.getMessageCount();
            } catch (RuntimeException e) {
                depth = -1;
            }
        }
        return depth;
    }

    private void deliver(Message message, Channel channel) throws IOException {
        long tag = message.getMessageProperties().getDeliveryTag();
        SyncJob job;
        try {
            job = JSON.readValue(message.getBody(), SyncJob.class);
        } catch (RuntimeException e) {
            log.error("Unreadable sync job dead-lettered: {}", e.getMessage());
            channel.basicReject(tag, false);
            return;
        }
        int delivery = redelivery.failedDeliveries(message.getMessageProperties()) + 1;
        Exception failure;
        try {
            handler.handle(job);
            channel.basicAck(tag, false);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            channel.basicNack(tag, false, true);
            return;
        } catch (Exception e) {
            failure = e;
        }
        if (delivery >= jobs.deliveryLimit()) {
            log.error("Sync job {} failed {} times and is dead-lettered; last failure: {}", job, delivery,
                    failure.toString());
            channel.basicReject(tag, false);
            handler.deadLettered(job, failure);
            return;
        }
        Duration delay = jobs.retryDelay(delivery);
        log.info("Sync job {} failed ({}); delivery {} in {} ms", job, failure.toString(), delivery + 1,
                delay.toMillis());
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            channel.basicNack(tag, false, true);
            return;
        }
        redelivery.deliverAgain(message, channel, job, delivery);
    }

    private void startConsumers() {
        SimpleAsyncTaskExecutor consumerThreads = new SimpleAsyncTaskExecutor("sync-job-");
        consumerThreads.setVirtualThreads(true);
        container = new SimpleMessageListenerContainer(connectionFactory);
        container.setQueueNames(queue.queue());
        container.setAmqpAdmin(admin);
        container.setAcknowledgeMode(AcknowledgeMode.MANUAL);
        container.setPrefetchCount(queue.prefetch());
        container.setConcurrentConsumers(jobs.concurrency());
        container.setTaskExecutor(consumerThreads);
        container.setMessageListener((ChannelAwareMessageListener) this::deliver);
        container.afterPropertiesSet();
        container.start();
    }

    @Override
    public synchronized void start() {
        running = true;
        if (handler != null && container == null) {
            startConsumers();
        }
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (container != null) {
            container.stop();
            container.destroy();
            container = null;
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** How a failed job comes back, and how many times it failed before. */
    private interface Redelivery {

        int failedDeliveries(MessageProperties properties);

        void deliverAgain(Message message, Channel channel, SyncJob job, int failedDeliveries) throws IOException;
    }

    /** Quorum queue: the broker counts every return and requeues a nacked job at once. */
    private static final class BrokerRequeue implements Redelivery {

        @Override
        public int failedDeliveries(MessageProperties properties) {
            return properties.getHeaders().get(DELIVERY_COUNT) instanceof Number count ? count.intValue() : 0;
        }

        @Override
        public void deliverAgain(Message message, Channel channel, SyncJob job, int failedDeliveries)
                throws IOException {
            channel.basicNack(message.getMessageProperties().getDeliveryTag(), false, true);
        }
    }

    /** Classic queue: requeues are not counted, so the job is published again with its count. */
    private final class Republish implements Redelivery {

        @Override
        public int failedDeliveries(MessageProperties properties) {
            return (int) properties.getRetryCount();
        }

        @Override
        public void deliverAgain(Message message, Channel channel, SyncJob job, int failedDeliveries)
                throws IOException {
            long tag = message.getMessageProperties().getDeliveryTag();
            Message again = MessageBuilder.withBody(message.getBody())
                    .copyProperties(message.getMessageProperties())
                    .build();
            again.getMessageProperties().setRetryCount(failedDeliveries);
            try {
                send(again, job);
            } catch (SyncJobNotQueuedException e) {
                log.warn("{}; returning the original instead, its count unchanged", e.getMessage());
                channel.basicNack(tag, false, true);
                return;
            }
            channel.basicAck(tag, false);
        }
    }
}
