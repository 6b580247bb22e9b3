package org.emaillistener.common.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.emaillistener.common.jobs.SyncJob;
import org.emaillistener.common.jobs.SyncJobProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InMemorySyncJobsTest {

    private final InMemorySyncJobs jobs = new InMemorySyncJobs(
            new SyncJobProperties(1, Duration.ofMillis(50), Duration.ofMillis(100), 3));

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
}
