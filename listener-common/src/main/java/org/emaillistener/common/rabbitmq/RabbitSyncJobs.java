package org.emaillistener.common.rabbitmq;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.emaillistener.common.jobs.SyncJob;
import org.emaillistener.common.jobs.SyncJobDeferredException;
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
 * handler returns. A job the handler hands back waits out its back-off in a delay queue, never in a
 * consumer: the copy is published (and confirmed) to the step of the {@linkplain SyncQueueTopology
 * delay ladder} nearest below the back-off, with its counts in headers, and the original acked; the
 * broker returns it to the sync queue when the step's TTL ends. A consumer is thus always free for
 * the next job, however many jobs fail together. A failure ({@link SyncJobProperties#retryDelay})
 * counts toward {@code listener.jobs.delivery-limit}; a deferral
 * ({@link SyncJobDeferredException}, {@link SyncJobProperties#deferralDelay}) does not. The
 * failure that reaches the limit is rejected without requeue, and the broker dead-letters it.
 * <p>
 * A consumer that dies (the handler threw an {@link Error}) counts the job as failed rather than
 * taking the process down; a redelivery after a crashed consumer counts as a failure too, from the
 * quorum queue's {@code x-delivery-count}, whose {@code x-delivery-limit} stops a job that keeps
 * killing its consumers. {@link #consuming()} is false while fewer consumers than configured are
 * attached (the container restarts one that ended).
 */
public class RabbitSyncJobs implements SyncJobs, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RabbitSyncJobs.class);
    /** A field this version does not know (published by a newer replica) is ignored, not dead-lettered. */
    private static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    /** Redeliveries by the broker (a consumer that crashed or nacked); quorum queues only. */
    private static final String DELIVERY_COUNT = "x-delivery-count";
    static final String FAILURES = "x-listener-failures";
    static final String DEFERRALS = "x-listener-deferrals";
    private static final long DEPTH_MAX_AGE_NANOS = 5_000_000_000L;

    private final ConnectionFactory connectionFactory;
    private final AmqpAdmin admin;
    private final QueueDepth depth;
    private final QueueDepth deadLetterDepth;
    private final SyncQueueProperties queue;
    private final SyncJobProperties jobs;
    private final List<Duration> delays;
    private final RabbitTemplate template;
    private volatile SimpleMessageListenerContainer container;
    private SyncJobHandler handler;
    private volatile boolean running;

    RabbitSyncJobs(ConnectionFactory connectionFactory, AmqpAdmin admin, SyncQueueProperties queue,
            SyncJobProperties jobs) {
        this.connectionFactory = connectionFactory;
        this.admin = admin;
        this.queue = queue;
        this.jobs = jobs;
        this.delays = SyncQueueTopology.delays(jobs);
        this.depth = new QueueDepth(queue.queue());
        this.deadLetterDepth = new QueueDepth(queue.deadLetterQueue());
        this.template = new RabbitTemplate(connectionFactory);
        template.setMandatory(true);
        template.setReturnsCallback(returned -> log.warn("Sync job returned by the broker: {} {}",
                returned.getReplyCode(), returned.getReplyText()));
    }

    @Override
    public void publish(SyncJob job) {
        Message message = MessageBuilder.withBody(JSON.writeValueAsBytes(job))
                .setContentType(MessageProperties.CONTENT_TYPE_JSON)
                .setDeliveryMode(MessageDeliveryMode.PERSISTENT)
                .setMessageId(UUID.randomUUID().toString())
                .build();
        send(message, job, queue.queue());
    }

    /** Sends and waits for the broker's confirm; only a positive confirm of a routed message returns. */
    private void send(Message message, SyncJob job, String routingKey) {
        CorrelationData correlation = new CorrelationData();
        CorrelationData.Confirm confirm;
        try {
            template.send(queue.exchange(), routingKey, message, correlation);
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
            throw new SyncJobNotQueuedException("Sync job " + job + " could not be routed to queue " + routingKey
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

    @Override
    public long depth() {
        return depth.read();
    }

    @Override
    public long deadLetterDepth() {
        return deadLetterDepth.read();
    }

    /** A queue's message count, read from the broker at most every few seconds, however often metrics ask. */
    private final class QueueDepth {

        private final String name;
        private volatile long readAt = System.nanoTime() - DEPTH_MAX_AGE_NANOS - 1;
        private volatile long count = -1;

        QueueDepth(String name) {
            this.name = name;
        }

        long read() {
            long now = System.nanoTime();
            if (now - readAt > DEPTH_MAX_AGE_NANOS) {
                readAt = now;
                try {
                    var info = admin.getQueueInfo(name);
                    count = info == null ? -1 : info.getMessageCount();
                } catch (RuntimeException e) {
                    count = -1;
                }
            }
            return count;
        }

        /** The next read asks the broker. */
        void stale() {
            readAt = System.nanoTime() - DEPTH_MAX_AGE_NANOS - 1;
        }
    }

    /**
     * Takes dead letters one at a time (a manual ack), publishes each as a new job to the sync queue
     * with the broker's confirm, and only then acks it: a replay cut short loses nothing, and at worst
     * queues one job twice, which a sync takes as it takes any job.
     */
    @Override
    public int replayDeadLetters(int max) {
        int replayed = 0;
        while (replayed < max) {
            Boolean taken = template.execute(channel -> {
                var got = channel.basicGet(queue.deadLetterQueue(), false);
                if (got == null) {
                    return false;
                }
                SyncJob job;
                try {
                    job = JSON.readValue(got.getBody(), SyncJob.class);
                } catch (RuntimeException e) {
                    log.error("An unreadable dead letter stays in {}: {}", queue.deadLetterQueue(), e.getMessage());
                    channel.basicNack(got.getEnvelope().getDeliveryTag(), false, true);
                    return false;
                }
                try {
                    publish(job);
                } catch (SyncJobNotQueuedException e) {
                    channel.basicNack(got.getEnvelope().getDeliveryTag(), false, true);
                    throw e;
                }
                channel.basicAck(got.getEnvelope().getDeliveryTag(), false);
                return true;
            });
            if (!Boolean.TRUE.equals(taken)) {
                break;
            }
            replayed++;
        }
        if (replayed > 0) {
            log.info("Replayed {} dead-lettered sync job(s) from {}", replayed, queue.deadLetterQueue());
            deadLetterDepth.stale();
        }
        return replayed;
    }

    @Override
    public boolean consuming() {
        SimpleMessageListenerContainer consumers = container;
        return consumers == null || consumers.getActiveConsumerCount() >= jobs.concurrency();
    }

    private void deliver(Message message, Channel channel) throws IOException {
        MessageProperties properties = message.getMessageProperties();
        long tag = properties.getDeliveryTag();
        SyncJob job;
        try {
            job = JSON.readValue(message.getBody(), SyncJob.class);
        } catch (RuntimeException e) {
            log.error("Unreadable sync job dead-lettered: {}", e.getMessage());
            channel.basicReject(tag, false);
            return;
        }
        int failures = header(properties, FAILURES) + header(properties, DELIVERY_COUNT);
        int deferrals = header(properties, DEFERRALS);
        Throwable failure;
        try {
            handler.handle(job);
            channel.basicAck(tag, false);
            return;
        } catch (SyncJobDeferredException e) {
            deferrals++;
            Duration delay = jobs.deferralDelay(deferrals);
            log.debug("Sync job {} deferred ({}); again in about {} ms", job, e.getMessage(), delay.toMillis());
            deliverLater(message, channel, job, failures, deferrals, delay);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            channel.basicNack(tag, false, true);
            return;
        } catch (Exception | Error e) {
            failure = e;
        }
        failures++;
        if (failures >= jobs.deliveryLimit()) {
            log.error("Sync job {} failed {} times and is dead-lettered; last failure: {}", job, failures,
                    failure.toString());
            channel.basicReject(tag, false);
            handler.deadLettered(job, failure);
            return;
        }
        Duration delay = jobs.retryDelay(failures);
        log.info("Sync job {} failed ({}); delivery {} in about {} ms", job, failure.toString(), failures + 1,
                delay.toMillis());
        deliverLater(message, channel, job, failures, deferrals, delay);
    }

    /**
     * Publishes the job to the delay step nearest below {@code delay} and acks the original once the
     * copy is confirmed; if the broker does not take the copy, the original goes back at once.
     */
    private void deliverLater(Message message, Channel channel, SyncJob job, int failures, int deferrals,
            Duration delay) throws IOException {
        long tag = message.getMessageProperties().getDeliveryTag();
        Message again = MessageBuilder.withBody(message.getBody())
                .copyProperties(message.getMessageProperties())
                .removeHeader(DELIVERY_COUNT)
                .removeHeader("x-death")
                .setHeader(FAILURES, failures)
                .setHeader(DEFERRALS, deferrals)
                .build();
        try {
            send(again, job, SyncQueueTopology.delayQueue(queue, step(delay)));
        } catch (SyncJobNotQueuedException e) {
            log.warn("{}; returning the original instead", e.getMessage());
            channel.basicNack(tag, false, true);
            return;
        }
        channel.basicAck(tag, false);
    }

    /** The longest step of the ladder that does not exceed the delay (the shortest, if all do). */
    private Duration step(Duration delay) {
        Duration step = delays.getFirst();
        for (Duration candidate : delays) {
            if (candidate.compareTo(delay) <= 0) {
                step = candidate;
            }
        }
        return step;
    }

    private static int header(MessageProperties properties, String name) {
        return properties.getHeaders().get(name) instanceof Number count ? count.intValue() : 0;
    }

    private void startConsumers() {
        SimpleAsyncTaskExecutor consumerThreads = new SimpleAsyncTaskExecutor("sync-job-");
        consumerThreads.setVirtualThreads(true);
        SimpleMessageListenerContainer consumers = new SimpleMessageListenerContainer(connectionFactory);
        consumers.setQueueNames(queue.queue());
        consumers.setAmqpAdmin(admin);
        consumers.setAcknowledgeMode(AcknowledgeMode.MANUAL);
        consumers.setPrefetchCount(queue.prefetch());
        consumers.setConcurrentConsumers(jobs.concurrency());
        consumers.setTaskExecutor(consumerThreads);
        consumers.setMessageListener((ChannelAwareMessageListener) this::deliver);
        // The default ends the JVM on an Error that escapes a consumer; the container restarts it instead.
        consumers.setJavaLangErrorHandler(error -> log.error("A sync-job consumer ended on {}; it is restarted",
                error.toString()));
        consumers.afterPropertiesSet();
        consumers.start();
        container = consumers;
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
}
