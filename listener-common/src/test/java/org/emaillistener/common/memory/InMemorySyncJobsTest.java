package org.emaillistener.common.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.emaillistener.common.jobs.SyncJob;
import org.emaillistener.common.jobs.SyncJobDeferredException;
import org.emaillistener.common.jobs.SyncJobProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InMemorySyncJobsTest {

    private final InMemorySyncJobs jobs = new InMemorySyncJobs(
            new SyncJobProperties(1, Duration.ofMillis(50), Duration.ofMillis(100), 3, Duration.ofMillis(20),
                    Duration.ofMillis(40)));

    @AfterEach
    void stop() {
        jobs.stop();
    }

    @Test
    void takesNewMailBeforeTheCatchUpsWaitingAheadOfIt() {
        for (int i = 0; i < 20; i++) {
            jobs.publish(SyncJob.of(UUID.randomUUID(), "INBOX", SyncJob.Reason.CONNECTED));
        }
        SyncJob announced = SyncJob.of(UUID.randomUUID(), "INBOX", SyncJob.Reason.NEW_MAIL);
        jobs.publish(announced);
        List<SyncJob> handled = new CopyOnWriteArrayList<>();

        jobs.consume(handled::add);
        jobs.start();

        await().atMost(Duration.ofSeconds(5)).until(() -> handled.size() == 21);
        assertThat(handled.getFirst()).isEqualTo(announced);
    }

    @Test
    void coalescesAJobIntoItsWaitingTwin() {
        UUID mailbox = UUID.randomUUID();
        jobs.publish(SyncJob.of(mailbox, "INBOX", SyncJob.Reason.CONNECTED));
        jobs.publish(SyncJob.of(mailbox, "INBOX", SyncJob.Reason.PERIODIC));

        assertThat(jobs.depth()).isEqualTo(1);
    }

    @Test
    void deadLettersAJobThatFailsAsOftenAsTheLimitAllows() {
        SyncJob failing = SyncJob.of(UUID.randomUUID(), "INBOX", SyncJob.Reason.NEW_MAIL);
        jobs.consume(job -> {
            throw new IllegalStateException("Creatio is down");
        });
        jobs.start();

        jobs.publish(failing);

        await().atMost(Duration.ofSeconds(5)).until(() -> jobs.deadLetters().contains(failing));
    }

    @Test
    void replaysDeadLettersAsNewJobs() {
        SyncJob failing = SyncJob.of(UUID.randomUUID(), "INBOX", SyncJob.Reason.NEW_MAIL);
        java.util.concurrent.atomic.AtomicBoolean creatioBack = new java.util.concurrent.atomic.AtomicBoolean();
        List<SyncJob> handled = new CopyOnWriteArrayList<>();
        jobs.consume(job -> {
            if (!creatioBack.get()) {
                throw new IllegalStateException("Creatio is down");
            }
            handled.add(job);
        });
        jobs.start();
        jobs.publish(failing);
        await().atMost(Duration.ofSeconds(5)).until(() -> jobs.deadLetterDepth() == 1);

        creatioBack.set(true);
        assertThat(jobs.replayDeadLetters(5)).isEqualTo(1);

        await().atMost(Duration.ofSeconds(5)).until(() -> handled.contains(failing));
        assertThat(jobs.deadLetterDepth()).isZero();
    }

    @Test
    void newMailIsNotHeldBackByItsTwinsRetryBackOff() {
        InMemorySyncJobs slowRetries = new InMemorySyncJobs(new SyncJobProperties(1, Duration.ofMinutes(1),
                Duration.ofMinutes(2), 3, Duration.ofMillis(20), Duration.ofMillis(40)));
        UUID mailbox = UUID.randomUUID();
        List<Long> handledAtNanos = new CopyOnWriteArrayList<>();
        slowRetries.consume(job -> {
            handledAtNanos.add(System.nanoTime());
            if (handledAtNanos.size() == 1) {
                throw new IllegalStateException("the mail server dropped the connection");
            }
        });
        slowRetries.start();
        try {
            slowRetries.publish(SyncJob.of(mailbox, "INBOX", SyncJob.Reason.PERIODIC));
            await().atMost(Duration.ofSeconds(5)).until(() -> slowRetries.depth() == 1);
            long announcedAt = System.nanoTime();

            slowRetries.publish(SyncJob.of(mailbox, "INBOX", SyncJob.Reason.NEW_MAIL));

            await().atMost(Duration.ofSeconds(2)).until(() -> handledAtNanos.size() == 2);
            assertThat(Duration.ofNanos(handledAtNanos.get(1) - announcedAt)).isLessThan(Duration.ofSeconds(1));
            assertThat(slowRetries.depth()).isZero();
        } finally {
            slowRetries.stop();
        }
    }

    @Test
    void deferralsDoNotCountTowardTheDeliveryLimit() {
        AtomicInteger deliveries = new AtomicInteger();
        jobs.consume(job -> {
            if (deliveries.incrementAndGet() < 10) {
                throw new SyncJobDeferredException("Creatio does not answer", null);
            }
        });
        jobs.start();

        jobs.publish(SyncJob.of(UUID.randomUUID(), "INBOX", SyncJob.Reason.NEW_MAIL));

        await().atMost(Duration.ofSeconds(5)).until(() -> deliveries.get() == 10);
        assertThat(jobs.deadLetters()).isEmpty();
        assertThat(jobs.depth()).isZero();
    }

    @Test
    void anErrorFailsTheJobButNotTheWorker() {
        AtomicInteger deliveries = new AtomicInteger();
        jobs.consume(job -> {
            if (deliveries.incrementAndGet() == 1) {
                throw new OutOfMemoryError("Java heap space");
            }
        });
        jobs.start();

        jobs.publish(SyncJob.of(UUID.randomUUID(), "INBOX", SyncJob.Reason.NEW_MAIL));
        jobs.publish(SyncJob.of(UUID.randomUUID(), "INBOX", SyncJob.Reason.NEW_MAIL));

        await().atMost(Duration.ofSeconds(5)).until(() -> deliveries.get() == 3);
        assertThat(jobs.consuming()).isTrue();
        assertThat(jobs.deadLetters()).isEmpty();
    }
}
