package org.emaillistener.common.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.emaillistener.common.jobs.MailboxLocks;
import org.emaillistener.common.jobs.MailboxLocksContract;
import org.emaillistener.common.jobs.MailboxLocks.Dirty;
import org.emaillistener.common.jobs.SyncJob;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.UUID;

class RedisMailboxLocksTest extends MailboxLocksContract {

    private final RedisTestStore store = new RedisTestStore();
    private final RedisMailboxLocks locks = new RedisMailboxLocks(store.redis, store.keys);
    private final RedisMailboxLocks otherProcess = new RedisMailboxLocks(store.redis, store.keys);

    @AfterEach
    void removeTheTestsKeys() {
        store.close();
    }

    @Override
    protected MailboxLocks locks() {
        return locks;
    }

    @Override
    protected MailboxLocks otherSyncer() {
        return otherProcess;
    }

    @Test
    void aMarkWhoseHolderDiedExpires() {
        UUID mailbox = UUID.randomUUID();

        locks.markDirty(mailbox, "INBOX", new Dirty(SyncJob.Reason.NEW_MAIL, Instant.now()));

        assertThat(store.redis.getExpire(store.keys.dirty(mailbox))).isBetween(3000L, 3600L);
    }
}
