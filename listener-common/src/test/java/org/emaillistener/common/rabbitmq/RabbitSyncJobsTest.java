package org.emaillistener.common.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.emaillistener.common.jobs.SyncJob;
import org.emaillistener.common.jobs.SyncJobDeferredException;
import org.emaillistener.common.jobs.SyncJobNotQueuedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

class RabbitSyncJobsTest {

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
    void deliversAPublishedJobToTheHandlerAndAcksIt() throws InterruptedException {
        rabbit = new RabbitTestQueue(FAST_RETRIES);
        BlockingQueue<SyncJob> handled = new LinkedBlockingQueue<>();
        rabbit.jobs().consume(handled::add);
        SyncJob job = SyncJob.of(UUID.randomUUID(), "INBOX", SyncJob.Reason.NEW_MAIL);

        rabbit.jobs().publish(job);

        assertThat(handled.poll(10, TimeUnit.SECONDS)).isEqualTo(job);
        await().atMost(Duration.ofSeconds(10)).until(() -> rabbit.messages(rabbit.queue) == 0);
        assertThat(handled).isEmpty();
        assertThat(rabbit.deadLetters()).isZero();
    }

    @Test
    void deliversAFailedJobAgainAfterTheBackOff() {
        rabbit = new RabbitTestQueue(FAST_RETRIES);
        List<Long> deliveredAtNanos = new CopyOnWriteArrayList<>();
        rabbit.jobs().consume(job -> {
            deliveredAtNanos.add(System.nanoTime());
            if (deliveredAtNanos.size() == 1) {
                throw new IllegalStateException("Creatio answered 503");
            }
        });

        rabbit.jobs().publish(SyncJob.of(UUID.randomUUID(), "INBOX", SyncJob.Reason.NEW_MAIL));

        await().atMost(Duration.ofSeconds(10)).until(() -> deliveredAtNanos.size() == 2);
        assertThat(Duration.ofNanos(deliveredAtNanos.get(1) - deliveredAtNanos.get(0)))
                .isGreaterThanOrEqualTo(Duration.ofMillis(150));
        await().atMost(Duration.ofSeconds(10)).until(() -> rabbit.messages(rabbit.queue) == 0);
        assertThat(rabbit.deadLetters()).isZero();
    }

    @Test
    void deadLettersAJobThatFailsAsOftenAsTheDeliveryLimit() {
        rabbit = new RabbitTestQueue(FAST_RETRIES);
        AtomicInteger deliveries = new AtomicInteger();
        rabbit.jobs().consume(job -> {
            deliveries.incrementAndGet();
            throw new IllegalStateException("the mail server refuses every login");
        });
        SyncJob job = SyncJob.of(UUID.randomUUID(), "INBOX", SyncJob.Reason.CONNECTED);

        rabbit.jobs().publish(job);

        await().atMost(Duration.ofSeconds(20)).until(() -> rabbit.deadLetters() == 1);
        assertThat(deliveries).hasValue(3);
        assertThat(rabbit.messages(rabbit.queue)).isZero();
        assertThat(rabbit.takeDeadLetter()).isEqualTo(job);
    }

    @Test
    void keepsDeadLettersBoundedAndReplaysThemAsNewJobs() {
        rabbit = new RabbitTestQueue(FAST_RETRIES);
        rabbit.declare();
        assertThat(RabbitTestQueue.argumentsOf(rabbit.listed(rabbit.deadLetterQueue)))
                .containsEntry("x-message-ttl", String.valueOf(Duration.ofDays(14).toMillis()))
                .containsEntry("x-max-length", "100000");
        AtomicInteger deliveries = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean serverFixed = new java.util.concurrent.atomic.AtomicBoolean();
        List<SyncJob> done = new java.util.concurrent.CopyOnWriteArrayList<>();
        rabbit.jobs().consume(job -> {
            deliveries.incrementAndGet();
            if (!serverFixed.get()) {
                throw new IllegalStateException("the mail server refuses every login");
            }
            done.add(job);
        });
        SyncJob job = SyncJob.of(UUID.randomUUID(), "INBOX", SyncJob.Reason.CONNECTED);
        rabbit.jobs().publish(job);
        await().atMost(Duration.ofSeconds(20)).until(() -> rabbit.deadLetters() == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> rabbit.jobs().deadLetterDepth() == 1);

        serverFixed.set(true);
        long replayedAt = System.nanoTime();
        assertThat(rabbit.jobs().replayDeadLetters(10)).isEqualTo(1);

        await().atMost(Duration.ofSeconds(5)).until(() -> done.contains(job));
        assertThat(Duration.ofNanos(System.nanoTime() - replayedAt)).isLessThan(Duration.ofSeconds(5));
        assertThat(rabbit.deadLetters()).isZero();
        assertThat(rabbit.jobs().deadLetterDepth()).isZero();
        assertThat(rabbit.jobs().replayDeadLetters(10)).as("nothing left").isZero();
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
    void aJobWaitingOutItsBackOffLeavesTheConsumerFreeForTheNext() {
        rabbit = new RabbitTestQueue("listener.jobs.retry-initial-delay=30s", "listener.jobs.retry-max-delay=30s",
                "listener.jobs.concurrency=1");
        UUID failing = UUID.randomUUID();
        BlockingQueue<SyncJob> handled = new LinkedBlockingQueue<>();
        rabbit.jobs().consume(job -> {
            handled.add(job);
            if (job.mailboxId().equals(failing)) {
                throw new IllegalStateException("the mail server dropped the connection");
            }
        });
        rabbit.jobs().publish(SyncJob.of(failing, "INBOX", SyncJob.Reason.PERIODIC));
        await().atMost(Duration.ofSeconds(10)).until(() -> handled.size() == 1);
        SyncJob next = SyncJob.of(UUID.randomUUID(), "INBOX", SyncJob.Reason.NEW_MAIL);
        long publishedAt = System.nanoTime();

        rabbit.jobs().publish(next);

        await().atMost(Duration.ofSeconds(2)).until(() -> handled.contains(next));
        assertThat(Duration.ofNanos(System.nanoTime() - publishedAt)).isLessThan(Duration.ofSeconds(2));
        assertThat(handled).hasSize(2);
        assertThat(rabbit.messages(rabbit.queue)).isZero();
        assertThat(rabbit.ready(rabbit.queue + ".delay.8000ms") + rabbit.ready(rabbit.queue + ".delay.30000ms"))
                .isEqualTo(1);
    }

    @Test
    void deferralsComeBackSoonAndNeverReachTheDeadLetters() {
        rabbit = new RabbitTestQueue(concat(FAST_RETRIES, "listener.jobs.deferral-initial-delay=100ms",
                "listener.jobs.deferral-max-delay=200ms"));
        AtomicInteger deliveries = new AtomicInteger();
        rabbit.jobs().consume(job -> {
            if (deliveries.incrementAndGet() < 6) {
                throw new SyncJobDeferredException("Creatio answered 503", null);
            }
        });

        rabbit.jobs().publish(SyncJob.of(UUID.randomUUID(), "INBOX", SyncJob.Reason.NEW_MAIL));

        await().atMost(Duration.ofSeconds(10)).until(() -> deliveries.get() == 6);
        await().atMost(Duration.ofSeconds(10)).until(() -> rabbit.messages(rabbit.queue) == 0);
        assertThat(rabbit.deadLetters()).isZero();
    }

    @Test
    void anErrorInTheHandlerFailsTheJobAndTheConsumerGoesOn() {
        rabbit = new RabbitTestQueue(FAST_RETRIES);
        AtomicInteger deliveries = new AtomicInteger();
        rabbit.jobs().consume(job -> {
            if (deliveries.incrementAndGet() == 1) {
                throw new OutOfMemoryError("Java heap space");
            }
        });

        rabbit.jobs().publish(SyncJob.of(UUID.randomUUID(), "INBOX", SyncJob.Reason.NEW_MAIL));

        await().atMost(Duration.ofSeconds(10)).until(() -> deliveries.get() == 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> rabbit.messages(rabbit.queue) == 0);
        assertThat(rabbit.jobs().consuming()).isTrue();
        assertThat(rabbit.deadLetters()).isZero();
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
