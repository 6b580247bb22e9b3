package org.emaillistener.common.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import org.emaillistener.common.lease.Leases;
import org.emaillistener.common.lease.LeasesContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RedisLeasesTest extends LeasesContract {

    private final RedisTestStore store = new RedisTestStore();
    private final RedisLeases leases = new RedisLeases(store.redis, store.keys);

    @AfterEach
    void removeTheTestsKeys() {
        store.close();
    }

    @Override
    protected Leases leases() {
        return leases;
    }

    @Test
    void renewsMoreLeasesThanFitInOneScript() {
        List<UUID> mailboxes = Stream.generate(UUID::randomUUID).limit(1200).toList();
        mailboxes.forEach(mailbox -> leases.tryAcquire(mailbox, "replica-a", Duration.ofMinutes(1)));

        assertThat(leases.renew(mailboxes, "replica-a", Duration.ofMinutes(2))).hasSize(1200);
        assertThat(store.redis.getExpire(store.keys.lease(mailboxes.getLast()))).isGreaterThan(60);
    }
}
