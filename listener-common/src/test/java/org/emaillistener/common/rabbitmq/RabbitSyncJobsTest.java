package org.emaillistener.common.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.emaillistener.common.jobs.SyncJob;
import org.emaillistener.common.jobs.SyncJobNotQueuedException;
import org.emaillistener.common.jobs.SyncJobProperties;
import org.emaillistener.common.jobs.SyncJobs;
import org.emaillistener.common.jobs.SyncJobsContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

class RabbitSyncJobsTest extends SyncJobsContract {

    private static final String[] FAST_RETRIES = { "listener.jobs.delivery-limit=3",
            "listener.jobs.retry-initial-delay=300ms", "listener.jobs.retry-max-delay=300ms",
            "listener.jobs.concurrency=2" };

    private RabbitTestQueue rabbit;

    @AfterEach
    void deleteTheTestsQueues() {
        if (rabbit != null) {
            rabbit.close();
        }
    }

    @Override
    protected SyncJobs queue(SyncJobProperties properties) {
        rabbit = new RabbitTestQueue("listener.jobs.concurrency=" + properties.concurrency(),
                "listener.jobs.retry-initial-delay=" + properties.retryInitialDelay().toMillis() + "ms",
                "listener.jobs.retry-max-delay=" + properties.retryMaxDelay().toMillis() + "ms",
                "listener.jobs.delivery-limit=" + properties.deliveryLimit(),
                "listener.jobs.deferral-initial-delay=" + properties.deferralInitialDelay().toMillis() + "ms",
                "listener.jobs.deferral-max-delay=" + properties.deferralMaxDelay().toMillis() + "ms");
        return rabbit.jobs();
    }

    /** The broker's count, unlike {@code depth()}, includes the jobs delivered and not acknowledged yet. */
    @Override
    protected void awaitNothingQueued(SyncJobs jobs) {
        await().atMost(Duration.ofSeconds(10)).until(() -> rabbit.messages(rabbit.queue) == 0);
    }

    @Test
    void declaresTheSyncQueueAsAQuorumQueueWithADeliveryLimitAndDeadLettering() {
        rabbit = new RabbitTestQueue(FAST_RETRIES);

        rabbit.declare();

        JsonNode sync = rabbit.listed(rabbit.queue);
        assertThat(sync.get("type").asString()).isEqualTo("quorum");
        assertThat(RabbitTestQueue.argumentsOf(sync)).containsEntry("x-queue-type", "quorum")
                .containsEntry("x-delivery-limit", "3")
                .containsEntry("x-dead-letter-exchange", rabbit.exchange)
                .containsEntry("x-dead-letter-routing-key", rabbit.deadLetterQueue)
                .containsEntry("x-dead-letter-strategy", "at-least-once")
                .containsEntry("x-overflow", "reject-publish");
        assertThat(rabbit.listed(rabbit.deadLetterQueue).get("type").asString()).isEqualTo("quorum");
    }

    @Test
    void declaresClassicQueuesWhenQuorumIsOff() {
        rabbit = new RabbitTestQueue("listener.rabbitmq.quorum=false");

        rabbit.declare();

        JsonNode sync = rabbit.listed(rabbit.queue);
        assertThat(sync.get("type").asString()).isEqualTo("classic");
        assertThat(RabbitTestQueue.argumentsOf(sync)).containsEntry("x-dead-letter-exchange", rabbit.exchange)
                .containsEntry("x-dead-letter-routing-key", rabbit.deadLetterQueue)
                .doesNotContainKeys("x-delivery-limit", "x-dead-letter-strategy", "x-overflow");
        assertThat(rabbit.listed(rabbit.deadLetterQueue).get("type").asString()).isEqualTo("classic");
    }

    @Test
    void keepsDeadLettersForTwoWeeksAndAtMostAHundredThousand() {
        rabbit = new RabbitTestQueue(FAST_RETRIES);

        rabbit.declare();

        assertThat(RabbitTestQueue.argumentsOf(rabbit.listed(rabbit.deadLetterQueue)))
                .containsEntry("x-message-ttl", String.valueOf(Duration.ofDays(14).toMillis()))
                .containsEntry("x-max-length", "100000");
    }

    @Test
    void aClassicQueueDeliversAgainAndDeadLettersToo() {
        rabbit = new RabbitTestQueue(concat(FAST_RETRIES, "listener.rabbitmq.quorum=false"));
        AtomicInteger deliveries = new AtomicInteger();
        rabbit.jobs().consume(job -> {
            deliveries.incrementAndGet();
            throw new IllegalStateException("the mail server refuses every login");
        });
        SyncJob job = SyncJob.of(UUID.randomUUID(), "Sent Items", SyncJob.Reason.PERIODIC);

        rabbit.jobs().publish(job);

        await().atMost(Duration.ofSeconds(20)).until(() -> rabbit.deadLetters() == 1);
        assertThat(deliveries).hasValue(3);
        assertThat(rabbit.messages(rabbit.queue)).isZero();
        assertThat(rabbit.takeDeadLetter()).isEqualTo(job);
    }

    @Test
    void declaresADelayQueuePerStepOfTheBackOffThatReturnsJobsToTheSyncQueue() {
        rabbit = new RabbitTestQueue("listener.jobs.retry-initial-delay=1s", "listener.jobs.retry-max-delay=2m",
                "listener.jobs.deferral-initial-delay=500ms", "listener.jobs.deferral-max-delay=15s");

        rabbit.declare();

        for (String step : List.of("500ms", "2000ms", "8000ms", "32000ms", "120000ms")) {
            JsonNode delay = rabbit.listed(rabbit.queue + ".delay." + step);
            assertThat(RabbitTestQueue.argumentsOf(delay)).containsEntry("x-queue-type", "quorum")
                    .containsEntry("x-message-ttl", step.replace("ms", ""))
                    .containsEntry("x-dead-letter-exchange", rabbit.exchange)
                    .containsEntry("x-dead-letter-routing-key", rabbit.queue)
                    .containsEntry("x-dead-letter-strategy", "at-least-once");
        }
    }

    @Test
    void aJobWaitingOutItsBackOffWaitsInTheDelayQueueOfItsStep() {
        rabbit = new RabbitTestQueue("listener.jobs.retry-initial-delay=30s", "listener.jobs.retry-max-delay=30s",
                "listener.jobs.concurrency=1");
        AtomicInteger deliveries = new AtomicInteger();
        rabbit.jobs().consume(job -> {
            deliveries.incrementAndGet();
            throw new IllegalStateException("the mail server dropped the connection");
        });

        rabbit.jobs().publish(SyncJob.of(UUID.randomUUID(), "INBOX", SyncJob.Reason.PERIODIC));

        await().atMost(Duration.ofSeconds(10)).until(() -> deliveries.get() == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> rabbit.ready(rabbit.queue + ".delay.8000ms")
                + rabbit.ready(rabbit.queue + ".delay.30000ms") == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> rabbit.messages(rabbit.queue) == 0);
    }

    @Test
    void publishFailsWhenTheBrokerCannotQueueTheJob() {
        rabbit = new RabbitTestQueue(FAST_RETRIES);
        rabbit.declare();
        rabbit.deleteSyncQueue();

        assertThatThrownBy(() -> rabbit.jobs().publish(SyncJob.of(UUID.randomUUID(), "INBOX", SyncJob.Reason.NEW_MAIL)))
                .isInstanceOf(SyncJobNotQueuedException.class)
                .hasMessageContaining("could not be routed to queue " + rabbit.queue);
    }

    private static String[] concat(String[] first, String... more) {
        String[] all = Arrays.copyOf(first, first.length + more.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }
}
