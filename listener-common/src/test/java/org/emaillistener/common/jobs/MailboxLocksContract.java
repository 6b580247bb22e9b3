package org.emaillistener.common.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.emaillistener.common.jobs.MailboxLocks.Dirty;
import org.emaillistener.common.jobs.MailboxLocks.Lock;
import org.junit.jupiter.api.Test;

/** What every {@link MailboxLocks} adapter does; each adapter's test extends this. */
public abstract class MailboxLocksContract {

    private static final Duration TTL = Duration.ofMinutes(1);

    private final UUID mailbox = UUID.randomUUID();

    protected abstract MailboxLocks locks();

    /** Another client of the same store, as a second syncer process would be. */
    protected abstract MailboxLocks otherSyncer();

    @Test
    void aLockedMailboxCannotBeLockedAgain() {
        assertThat(locks().tryLock(mailbox, TTL)).isPresent();

        assertThat(locks().tryLock(mailbox, TTL)).isEmpty();
        assertThat(otherSyncer().tryLock(mailbox, TTL)).isEmpty();
    }

    @Test
    void otherMailboxesStayFree() {
        locks().tryLock(mailbox, TTL);

        assertThat(locks().tryLock(UUID.randomUUID(), TTL)).isPresent();
    }

    @Test
    void aReleasedLockCanBeTakenAgain() {
        locks().tryLock(mailbox, TTL).orElseThrow().close();

        assertThat(locks().tryLock(mailbox, TTL)).isPresent();
    }

    @Test
    void anExpiredLockCanBeTakenByAnotherSyncer() {
        locks().tryLock(mailbox, Duration.ofMillis(300)).orElseThrow();

        await().atMost(Duration.ofSeconds(5)).until(() -> otherSyncer().tryLock(mailbox, TTL).isPresent());
    }

    @Test
    void anExtendedLockOutlivesItsFirstTtlButNotItsSuccessor() throws InterruptedException {
        Lock lock = locks().tryLock(mailbox, Duration.ofMillis(500)).orElseThrow();

        assertThat(lock.extend(TTL)).isTrue();
        Thread.sleep(800);
        assertThat(locks().tryLock(mailbox, TTL)).isEmpty();
        lock.close();

        Lock successor = locks().tryLock(mailbox, TTL).orElseThrow();
        assertThat(lock.extend(TTL)).isFalse();
        successor.close();
    }

    @Test
    void releasingAnExpiredLockLeavesItsSuccessorsLockInPlace() {
        Lock expired = locks().tryLock(mailbox, Duration.ofMillis(300)).orElseThrow();
        Lock successor = await().atMost(Duration.ofSeconds(5))
                .until(() -> otherSyncer().tryLock(mailbox, TTL), Optional::isPresent).orElseThrow();

        expired.close();
        assertThat(expired.releaseIfClean()).isTrue();

        assertThat(locks().tryLock(mailbox, TTL)).isEmpty();
        successor.close();
        assertThat(locks().tryLock(mailbox, TTL)).isPresent();
    }

    @Test
    void theHolderCannotLetGoWhileAFolderIsMarkedDirty() {
        Lock lock = locks().tryLock(mailbox, TTL).orElseThrow();
        Instant announced = Instant.parse("2026-12-03T10:00:00Z");

        otherSyncer().markDirty(mailbox, "INBOX", new Dirty(SyncJob.Reason.NEW_MAIL, announced));
        assertThat(otherSyncer().tryLock(mailbox, TTL)).isEmpty();

        assertThat(lock.releaseIfClean()).isFalse();
        assertThat(lock.takeDirty()).isEqualTo(Map.of("INBOX", new Dirty(SyncJob.Reason.NEW_MAIL, announced)));
        assertThat(lock.takeDirty()).isEmpty();
        assertThat(lock.releaseIfClean()).isTrue();
        assertThat(otherSyncer().tryLock(mailbox, TTL)).isPresent();
    }

    @Test
    void aFolderMarkedTwiceKeepsTheMoreUrgentReasonAndTheEarlierTime() {
        Instant first = Instant.parse("2026-12-03T10:00:00Z");
        Instant later = first.plusSeconds(5);
        locks().markDirty(mailbox, "INBOX", new Dirty(SyncJob.Reason.PERIODIC, first));
        locks().markDirty(mailbox, "INBOX", new Dirty(SyncJob.Reason.NEW_MAIL, later));
        locks().markDirty(mailbox, "INBOX", new Dirty(SyncJob.Reason.BACKLOG, later));
        locks().markDirty(mailbox, "Sent Items", new Dirty(SyncJob.Reason.PERIODIC, later));

        Lock lock = locks().tryLock(mailbox, TTL).orElseThrow();

        assertThat(lock.takeDirty()).isEqualTo(Map.of("INBOX", new Dirty(SyncJob.Reason.NEW_MAIL, first),
                "Sent Items", new Dirty(SyncJob.Reason.PERIODIC, later)));
    }

    @Test
    void marksOfOtherMailboxesStayWithThem() {
        UUID other = UUID.randomUUID();
        locks().markDirty(other, "INBOX", new Dirty(SyncJob.Reason.NEW_MAIL, Instant.now()));

        Lock lock = locks().tryLock(mailbox, TTL).orElseThrow();

        assertThat(lock.takeDirty()).isEmpty();
        assertThat(lock.releaseIfClean()).isTrue();
        assertThat(locks().tryLock(other, TTL).orElseThrow().takeDirty()).containsOnlyKeys("INBOX");
    }

    /**
     * The race the protocol exists for: many syncers each mark, then try the lock; whoever fails
     * leaves. Every mark must be taken by some holder, however the steps interleave.
     */
    @Test
    void noMarkIsLeftBehindWhenManySyncersMarkAndTryTogether() throws InterruptedException {
        int syncers = 8;
        int rounds = 200;
        AtomicInteger marked = new AtomicInteger();
        Map<String, Boolean> taken = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(syncers);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int s = 0; s < syncers; s++) {
                MailboxLocks locks = s % 2 == 0 ? locks() : otherSyncer();
                int syncer = s;
                threads.submit(() -> {
                    try {
                        for (int round = 0; round < rounds; round++) {
                            String folder = syncer + "/" + round;
                            locks.markDirty(mailbox, folder, new Dirty(SyncJob.Reason.NEW_MAIL, Instant.now()));
                            marked.incrementAndGet();
                            Optional<Lock> lock = locks.tryLock(mailbox, TTL);
                            if (lock.isEmpty()) {
                                continue;
                            }
                            do {
                                lock.get().takeDirty().keySet().forEach(name -> taken.put(name, true));
                            } while (!lock.get().releaseIfClean());
                        }
                    } finally {
                        done.countDown();
                    }
                    return null;
                });
            }
            assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
        }

        assertThat(taken).hasSize(marked.get());
    }
}
