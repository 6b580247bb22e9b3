package org.emaillistener.common.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.emaillistener.common.jobs.SyncJob;
import org.emaillistener.common.jobs.SyncJobProperties;
import org.emaillistener.common.jobs.SyncJobsContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InMemorySyncJobsTest extends SyncJobsContract {

    private final List<InMemorySyncJobs> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(InMemorySyncJobs::stop);
    }

    @Override
    protected InMemorySyncJobs queue(SyncJobProperties properties) {
        InMemorySyncJobs jobs = new InMemorySyncJobs(properties);
        jobs.start();
        started.add(jobs);
        return jobs;
    }

    @Test
    void takesNewMailBeforeTheCatchUpsWaitingAheadOfIt() {
        InMemorySyncJobs jobs = queue(QUICK);
        for (int i = 0; i < 20; i++) {
            jobs.publish(SyncJob.of(UUID.randomUUID(), "INBOX", SyncJob.Reason.CONNECTED));
        }
        SyncJob announced = SyncJob.of(UUID.randomUUID(), "INBOX", SyncJob.Reason.NEW_MAIL);
        jobs.publish(announced);
        List<SyncJob> handled = new CopyOnWriteArrayList<>();

        jobs.consume(handled::add);

        await().atMost(Duration.ofSeconds(5)).until(() -> handled.size() == 21);
        assertThat(handled.getFirst()).isEqualTo(announced);
    }

    @Test
    void coalescesAJobIntoItsWaitingTwin() {
        InMemorySyncJobs jobs = queue(QUICK);
        UUID mailbox = UUID.randomUUID();
        jobs.publish(SyncJob.of(mailbox, "INBOX", SyncJob.Reason.CONNECTED));
        jobs.publish(SyncJob.of(mailbox, "INBOX", SyncJob.Reason.PERIODIC));

        assertThat(jobs.depth()).isEqualTo(1);
    }

    @Test
    void anAnnouncementTakesThePlaceOfItsTwinWaitingOutARetry() {
        InMemorySyncJobs jobs = queue(new SyncJobProperties(1, Duration.ofMinutes(1), Duration.ofMinutes(2), 3,
                Duration.ofMillis(20), Duration.ofMillis(40)));
        UUID mailbox = UUID.randomUUID();
        List<Long> handledAtNanos = new CopyOnWriteArrayList<>();
        jobs.consume(job -> {
            handledAtNanos.add(System.nanoTime());
            if (handledAtNanos.size() == 1) {
                throw new IllegalStateException("the mail server dropped the connection");
            }
        });
        jobs.publish(SyncJob.of(mailbox, "INBOX", SyncJob.Reason.PERIODIC));
        await().atMost(Duration.ofSeconds(5)).until(() -> handledAtNanos.size() == 1 && jobs.depth() == 1);
        long announcedAt = System.nanoTime();

        jobs.publish(SyncJob.of(mailbox, "INBOX", SyncJob.Reason.NEW_MAIL));

        await().atMost(Duration.ofSeconds(2)).until(() -> handledAtNanos.size() == 2);
        assertThat(Duration.ofNanos(handledAtNanos.get(1) - announcedAt)).isLessThan(Duration.ofSeconds(1));
        assertThat(jobs.depth()).as("the retry is gone").isZero();
    }
}
