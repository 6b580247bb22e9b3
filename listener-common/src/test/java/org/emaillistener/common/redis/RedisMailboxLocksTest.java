package org.emaillistener.common.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import org.emaillistener.common.jobs.MailboxLocks.Lock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RedisMailboxLocksTest {

    private static final Duration TTL = Duration.ofMinutes(1);

    private final RedisTestStore store = new RedisTestStore();
    private final RedisMailboxLocks locks = new RedisMailboxLocks(store.redis, store.keys);
    private final UUID mailbox = UUID.randomUUID();

    @AfterEach
    void removeTheTestsKeys() {
        store.close();
    }

    @Test
    void aLockedMailboxCannotBeLockedAgain() {
        assertThat(locks.tryLock(mailbox, TTL)).isPresent();

        assertThat(locks.tryLock(mailbox, TTL)).isEmpty();
        assertThat(new RedisMailboxLocks(store.redis, store.keys).tryLock(mailbox, TTL)).isEmpty();
    }

    @Test
    void otherMailboxesStayFree() {
        locks.tryLock(mailbox, TTL);

        assertThat(locks.tryLock(UUID.randomUUID(), TTL)).isPresent();
    }

    @Test
    void aReleasedLockCanBeTakenAgain() {
        locks.tryLock(mailbox, TTL).orElseThrow().close();

        assertThat(locks.tryLock(mailbox, TTL)).isPresent();
    }

    @Test
    void anExpiredLockCanBeTakenByAnotherSyncer() {
        locks.tryLock(mailbox, Duration.ofMillis(300)).orElseThrow();

        await().atMost(Duration.ofSeconds(5)).until(() -> locks.tryLock(mailbox, TTL).isPresent());
    }

    @Test
    void anExtendedLockOutlivesItsFirstTtlButNotItsSuccessor() throws InterruptedException {
        var lock = locks.tryLock(mailbox, Duration.ofMillis(500)).orElseThrow();

        assertThat(lock.extend(Duration.ofMinutes(1))).isTrue();
        Thread.sleep(800);
        assertThat(locks.tryLock(mailbox, TTL)).isEmpty();

        store.redis.delete(store.keys.lock(mailbox));
        assertThat(locks.tryLock(mailbox, TTL)).isPresent();
        assertThat(lock.extend(Duration.ofMinutes(1))).isFalse();
    }

    @Test
    void releasingAnExpiredLockLeavesItsSuccessorsLockInPlace() {
        Lock expired = locks.tryLock(mailbox, Duration.ofMillis(300)).orElseThrow();
        Lock successor = await().atMost(Duration.ofSeconds(5))
                .until(() -> locks.tryLock(mailbox, TTL), Optional::isPresent).orElseThrow();

        expired.close();

        assertThat(locks.tryLock(mailbox, TTL)).isEmpty();
        successor.close();
        assertThat(locks.tryLock(mailbox, TTL)).isPresent();
    }
}
