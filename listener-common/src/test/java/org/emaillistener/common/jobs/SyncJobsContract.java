package org.emaillistener.common.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.emaillistener.common.jobs.SyncJob.Reason;
import org.junit.jupiter.api.Test;

/** What every {@link SyncJobs} adapter does; each adapter's test extends this. */
public abstract class SyncJobsContract {

    /**
     * One consumer, three deliveries before the dead letters, and retries short enough for a test but
     * long enough to be measured. Deferrals wait as long as retries, so that the broker's shortest
     * delay step is the retry's.
     */
    protected static final SyncJobProperties QUICK = new SyncJobProperties(1, Duration.ofMillis(300),
            Duration.ofMillis(300), 3, Duration.ofMillis(300), Duration.ofMillis(300));
    /** As {@link #QUICK}, with deferrals shorter than retries. */
    protected static final SyncJobProperties QUICK_DEFERRALS = new SyncJobProperties(1, Duration.ofMillis(300),
            Duration.ofMillis(300), 3, Duration.ofMillis(100), Duration.ofMillis(200));
    /** Retries that wait far longer than a test looks. */
    protected static final SyncJobProperties SLOW_RETRIES = new SyncJobProperties(1, Duration.ofSeconds(30),
            Duration.ofSeconds(30), 3, Duration.ofMillis(300), Duration.ofMillis(300));

    /** Long enough for a broker whose queue depths are read every few seconds. */
    private static final Duration WAIT = Duration.ofSeconds(20);

    /**
     * A running queue of the test's own with these settings and no consumer yet; the test class stops
     * it after the test.
     */
    protected abstract SyncJobs queue(SyncJobProperties properties);

    /** Waits until no job is left in the queue, neither waiting nor being handled. */
    protected void awaitNothingQueued(SyncJobs jobs) {
        await().atMost(WAIT).until(() -> jobs.depth() == 0);
    }

    @Test
    void aQueueWithoutAConsumerCountsAsConsuming() {
        assertThat(queue(QUICK).consuming()).isTrue();
    }

    @Test
    void countsTheJobsThatWaitForAConsumer() {
        SyncJobs jobs = queue(QUICK);

        jobs.publish(SyncJob.of(UUID.randomUUID(), "INBOX", Reason.NEW_MAIL));
        jobs.publish(SyncJob.of(UUID.randomUUID(), "INBOX", Reason.NEW_MAIL));

        await().atMost(WAIT).until(() -> jobs.depth() == 2);
    }

    @Test
    void deliversAPublishedJobToTheHandlerOnce() throws InterruptedException {
        SyncJobs jobs = queue(QUICK);
        BlockingQueue<SyncJob> handled = new LinkedBlockingQueue<>();
        jobs.consume(handled::add);
        SyncJob job = SyncJob.of(UUID.randomUUID(), "INBOX", Reason.NEW_MAIL);

        jobs.publish(job);

        assertThat(handled.poll(10, TimeUnit.SECONDS)).isEqualTo(job);
        awaitNothingQueued(jobs);
        assertThat(handled).isEmpty();
        assertThat(jobs.deadLetterDepth()).isZero();
    }

    @Test
    void deliversAFailedJobAgainAfterItsBackOff() {
        SyncJobs jobs = queue(QUICK);
        List<Long> deliveredAtNanos = new CopyOnWriteArrayList<>();
        jobs.consume(job -> {
            deliveredAtNanos.add(System.nanoTime());
            if (deliveredAtNanos.size() == 1) {
                throw new IllegalStateException("Creatio answered 503");
            }
        });

        jobs.publish(SyncJob.of(UUID.randomUUID(), "INBOX", Reason.NEW_MAIL));

        await().atMost(WAIT).until(() -> deliveredAtNanos.size() == 2);
        assertThat(Duration.ofNanos(deliveredAtNanos.get(1) - deliveredAtNanos.get(0)))
                .as("at least half the retry delay").isGreaterThanOrEqualTo(Duration.ofMillis(150));
        awaitNothingQueued(jobs);
        assertThat(jobs.deadLetterDepth()).isZero();
    }

    @Test
    void deadLettersAJobThatFailsAsOftenAsTheDeliveryLimit() {
        SyncJobs jobs = queue(QUICK);
        AtomicInteger deliveries = new AtomicInteger();
        Map<SyncJob, Throwable> deadLettered = new ConcurrentHashMap<>();
        jobs.consume(new SyncJobHandler() {

            @Override
            public void handle(SyncJob job) {
                throw new IllegalStateException("the mail server refused login " + deliveries.incrementAndGet());
            }

            @Override
            public void deadLettered(SyncJob job, Throwable lastFailure) {
                deadLettered.put(job, lastFailure);
            }
        });
        SyncJob job = SyncJob.of(UUID.randomUUID(), "INBOX", Reason.CONNECTED);

        jobs.publish(job);

        await().atMost(WAIT).until(() -> deadLettered.containsKey(job));
        await().atMost(WAIT).until(() -> jobs.deadLetterDepth() == 1);
        assertThat(deliveries).hasValue(3);
        assertThat(deadLettered).containsOnlyKeys(job);
        assertThat(deadLettered.get(job)).hasMessage("the mail server refused login 3");
        awaitNothingQueued(jobs);
    }

    @Test
    void replaysADeadLetterAsANewJob() {
        SyncJobs jobs = queue(QUICK);
        AtomicBoolean serverFixed = new AtomicBoolean();
        List<SyncJob> done = new CopyOnWriteArrayList<>();
        jobs.consume(failingUntil(serverFixed, done));
        SyncJob job = SyncJob.of(UUID.randomUUID(), "INBOX", Reason.CONNECTED);
        jobs.publish(job);
        await().atMost(WAIT).until(() -> jobs.deadLetterDepth() == 1);

        serverFixed.set(true);
        long replayedAt = System.nanoTime();
        assertThat(jobs.replayDeadLetters(10)).isEqualTo(1);

        await().atMost(Duration.ofSeconds(5)).until(() -> done.contains(job));
        assertThat(Duration.ofNanos(System.nanoTime() - replayedAt)).isLessThan(Duration.ofSeconds(5));
        assertThat(jobs.deadLetterDepth()).isZero();
        assertThat(jobs.replayDeadLetters(10)).as("nothing left").isZero();
    }

    @Test
    void replaysTheOldestDeadLettersFirstAndNoMoreThanAsked() {
        SyncJobs jobs = queue(QUICK);
        AtomicBoolean serverFixed = new AtomicBoolean();
        List<SyncJob> done = new CopyOnWriteArrayList<>();
        jobs.consume(failingUntil(serverFixed, done));
        SyncJob older = SyncJob.of(UUID.randomUUID(), "INBOX", Reason.CONNECTED);
        SyncJob newer = SyncJob.of(UUID.randomUUID(), "INBOX", Reason.CONNECTED);
        jobs.publish(older);
        await().atMost(WAIT).until(() -> jobs.deadLetterDepth() == 1);
        jobs.publish(newer);
        await().atMost(WAIT).until(() -> jobs.deadLetterDepth() == 2);

        serverFixed.set(true);
        assertThat(jobs.replayDeadLetters(1)).isEqualTo(1);

        await().atMost(Duration.ofSeconds(5)).until(() -> done.contains(older));
        assertThat(jobs.deadLetterDepth()).isEqualTo(1);
        assertThat(done).containsExactly(older);
    }

    @Test
    void aReplayedJobHasTheWholeDeliveryLimitAgain() {
        SyncJobs jobs = queue(QUICK);
        AtomicInteger deliveries = new AtomicInteger();
        List<SyncJob> deadLettered = new CopyOnWriteArrayList<>();
        jobs.consume(new SyncJobHandler() {

            @Override
            public void handle(SyncJob job) {
                deliveries.incrementAndGet();
                throw new IllegalStateException("the mail server refuses every login");
            }

            @Override
            public void deadLettered(SyncJob job, Throwable lastFailure) {
                deadLettered.add(job);
            }
        });
        jobs.publish(SyncJob.of(UUID.randomUUID(), "INBOX", Reason.CONNECTED));
        await().atMost(WAIT).until(() -> jobs.deadLetterDepth() == 1);

        assertThat(jobs.replayDeadLetters(1)).isEqualTo(1);

        await().atMost(WAIT).until(() -> deadLettered.size() == 2);
        assertThat(deliveries).hasValue(6);
    }

    @Test
    void deferralsComeBackSoonAndNeverReachTheDeadLetters() {
        SyncJobs jobs = queue(QUICK_DEFERRALS);
        AtomicInteger deliveries = new AtomicInteger();
        jobs.consume(job -> {
            if (deliveries.incrementAndGet() < 10) {
                throw new SyncJobDeferredException("Creatio answered 503", null);
            }
        });

        jobs.publish(SyncJob.of(UUID.randomUUID(), "INBOX", Reason.NEW_MAIL));

        await().atMost(Duration.ofSeconds(10)).until(() -> deliveries.get() == 10);
        awaitNothingQueued(jobs);
        assertThat(jobs.deadLetterDepth()).isZero();
    }

    @Test
    void anErrorFailsTheJobButNotTheConsumer() {
        SyncJobs jobs = queue(QUICK);
        AtomicInteger deliveries = new AtomicInteger();
        jobs.consume(job -> {
            if (deliveries.incrementAndGet() == 1) {
                throw new OutOfMemoryError("Java heap space");
            }
        });

        jobs.publish(SyncJob.of(UUID.randomUUID(), "INBOX", Reason.NEW_MAIL));
        jobs.publish(SyncJob.of(UUID.randomUUID(), "INBOX", Reason.NEW_MAIL));

        await().atMost(WAIT).until(() -> deliveries.get() == 3);
        awaitNothingQueued(jobs);
        assertThat(jobs.consuming()).isTrue();
        assertThat(jobs.deadLetterDepth()).isZero();
    }

    @Test
    void aJobWaitingOutItsBackOffDoesNotHoldUpTheNext() {
        SyncJobs jobs = queue(SLOW_RETRIES);
        UUID failing = UUID.randomUUID();
        List<SyncJob> handled = new CopyOnWriteArrayList<>();
        jobs.consume(job -> {
            handled.add(job);
            if (job.mailboxId().equals(failing)) {
                throw new IllegalStateException("the mail server dropped the connection");
            }
        });
        jobs.publish(SyncJob.of(failing, "INBOX", Reason.PERIODIC));
        await().atMost(WAIT).until(() -> handled.size() == 1);
        SyncJob next = SyncJob.of(UUID.randomUUID(), "INBOX", Reason.NEW_MAIL);
        long publishedAt = System.nanoTime();

        jobs.publish(next);

        await().atMost(Duration.ofSeconds(2)).until(() -> handled.contains(next));
        assertThat(Duration.ofNanos(System.nanoTime() - publishedAt)).isLessThan(Duration.ofSeconds(2));
        assertThat(handled).hasSize(2);
    }

    @Test
    void anAnnouncementIsNotHeldBackByItsTwinsRetry() {
        SyncJobs jobs = queue(SLOW_RETRIES);
        UUID mailbox = UUID.randomUUID();
        List<Long> handledAtNanos = new CopyOnWriteArrayList<>();
        jobs.consume(job -> {
            handledAtNanos.add(System.nanoTime());
            if (handledAtNanos.size() == 1) {
                throw new IllegalStateException("the mail server dropped the connection");
            }
        });
        jobs.publish(SyncJob.of(mailbox, "INBOX", Reason.PERIODIC));
        await().atMost(WAIT).until(() -> handledAtNanos.size() == 1);
        long announcedAt = System.nanoTime();

        jobs.publish(SyncJob.of(mailbox, "INBOX", Reason.NEW_MAIL));

        await().atMost(Duration.ofSeconds(2)).until(() -> handledAtNanos.size() == 2);
        assertThat(Duration.ofNanos(handledAtNanos.get(1) - announcedAt)).isLessThan(Duration.ofSeconds(1));
    }

    /** Fails every job until the server is fixed, then records it as done. */
    private static SyncJobHandler failingUntil(AtomicBoolean serverFixed, List<SyncJob> done) {
        return job -> {
            if (!serverFixed.get()) {
                throw new IllegalStateException("the mail server refuses every login");
            }
            done.add(job);
        };
    }
}
