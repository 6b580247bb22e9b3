package org.emaillistener.common.rabbitmq;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import org.emaillistener.common.AdaptersTestApplication;
import org.emaillistener.common.jobs.SyncJob;
import org.emaillistener.common.jobs.SyncJobProperties;
import org.emaillistener.common.jobs.SyncJobs;
import org.emaillistener.common.testing.TestServers;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.QueueInformation;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.context.ConfigurableApplicationContext;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The application's RabbitMQ sync-job queue on the test broker, under exchange and queue names of
 * the test's own; closing it stops the consumers and deletes the queues and the exchange.
 */
final class RabbitTestQueue implements AutoCloseable {

    final String exchange = "el-test-" + UUID.randomUUID();
    final String queue = exchange + ".sync";
    final String deadLetterQueue = exchange + ".sync.dead";
    private final TestServers.RabbitMq broker = TestServers.rabbitMq();
    private final ConfigurableApplicationContext context;
    private final JsonMapper json = JsonMapper.builder().build();

    /** @param properties {@code listener.*} settings beyond the broker and the names */
    RabbitTestQueue(String... properties) {
        List<String> all = new ArrayList<>(List.of("listener.queue=rabbitmq",
                "spring.rabbitmq.host=" + broker.address().host(), "spring.rabbitmq.port=" + broker.address().port(),
                "listener.rabbitmq.exchange=" + exchange, "listener.rabbitmq.queue=" + queue,
                "listener.rabbitmq.dead-letter-queue=" + deadLetterQueue));
        all.addAll(List.of(properties));
        context = AdaptersTestApplication.run(all.toArray(String[]::new));
    }

    SyncJobs jobs() {
        return context.getBean(SyncJobs.class);
    }

    /** Declares the exchange and queues now, as the first connection would. */
    void declare() {
        context.getBean(RabbitAdmin.class).initialize();
    }

    void deleteSyncQueue() {
        context.getBean(AmqpAdmin.class).deleteQueue(queue);
    }

    /** What {@code rabbitmqctl list_queues} says of this test's queue: name, type, arguments, messages. */
    JsonNode listed(String name) {
        JsonNode queues = json.readTree(broker.rabbitmqctl("list_queues", "-q", "--formatter", "json", "name", "type",
                "arguments", "messages"));
        for (JsonNode listed : queues) {
            if (listed.get("name").asString().equals(name)) {
                return listed;
            }
        }
        throw new AssertionError("rabbitmqctl does not list queue " + name + ": " + queues);
    }

    /** Ready and unacknowledged messages, as the broker counts them. */
    long messages(String name) {
        return listed(name).get("messages").asLong();
    }

    /** Ready messages, as a passive declare tells them now (rabbitmqctl's figures lag by seconds). */
    long ready(String name) {
        QueueInformation information = context.getBean(AmqpAdmin.class).getQueueInfo(name);
        return information == null ? 0 : information.getMessageCount();
    }

    /** Jobs waiting in the dead-letter queue (it has no consumer, so all are ready). */
    long deadLetters() {
        QueueInformation information = context.getBean(AmqpAdmin.class).getQueueInfo(deadLetterQueue);
        return information == null ? 0 : information.getMessageCount();
    }

    /** Takes the next job from the dead-letter queue. */
    SyncJob takeDeadLetter() {
        Message message = new RabbitTemplate(context.getBean(ConnectionFactory.class)).receive(deadLetterQueue, 5000);
        if (message == null) {
            throw new AssertionError("no job in " + deadLetterQueue);
        }
        return json.readValue(message.getBody(), SyncJob.class);
    }

    /** The queue's arguments, which rabbitmqctl lists as {@code [name, type, value]} triples. */
    static Map<String, String> argumentsOf(JsonNode listed) {
        Map<String, String> arguments = new TreeMap<>();
        listed.get("arguments").forEach(argument -> arguments.put(argument.get(0).asString(),
                argument.get(argument.size() - 1).asString()));
        return arguments;
    }

    @Override
    public void close() {
        try {
            context.getBean(RabbitSyncJobs.class).stop();
            AmqpAdmin admin = context.getBean(AmqpAdmin.class);
            admin.deleteQueue(queue);
            admin.deleteQueue(deadLetterQueue);
            SyncQueueTopology.delays(context.getBean(SyncJobProperties.class)).forEach(delay -> admin.deleteQueue(
                    SyncQueueTopology.delayQueue(context.getBean(SyncQueueProperties.class), delay)));
            admin.deleteExchange(exchange);
        } finally {
            context.close();
        }
    }
}
