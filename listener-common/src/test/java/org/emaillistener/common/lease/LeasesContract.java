package org.emaillistener.common.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** What every {@link Leases} adapter does; each adapter's test extends this. */
public abstract class LeasesContract {

    private static final Duration TTL = Duration.ofMinutes(1);
    private static final Duration SHORT = Duration.ofMillis(300);

    private final UUID first = UUID.randomUUID();
    private final UUID second = UUID.randomUUID();
    private final UUID third = UUID.randomUUID();

    protected abstract Leases leases();

    @Test
    void aLeaseHasOneHolderAtATime() {
        assertThat(leases().tryAcquire(first, "replica-a", TTL)).isTrue();

        assertThat(leases().tryAcquire(first, "replica-b", TTL)).isFalse();
        assertThat(leases().tryAcquire(first, "replica-a", TTL)).isTrue();
        assertThat(leases().holders(List.of(first, second))).isEqualTo(Map.of(first, "replica-a"));
    }

    @Test
    void anUnrenewedLeaseExpiresAndAnotherReplicaTakesIt() {
        leases().tryAcquire(first, "replica-a", SHORT);

        await().atMost(Duration.ofSeconds(5)).until(() -> leases().tryAcquire(first, "replica-b", TTL));
        assertThat(leases().holders(List.of(first))).isEqualTo(Map.of(first, "replica-b"));
    }

    @Test
    void renewsOnlyTheLeasesTheHolderStillHolds() {
        leases().tryAcquire(first, "replica-a", TTL);
        leases().tryAcquire(second, "replica-a", SHORT);
        await().atMost(Duration.ofSeconds(5)).until(() -> leases().tryAcquire(second, "replica-b", TTL));

        Set<UUID> renewed = leases().renew(List.of(first, second, third), "replica-a", TTL);

        assertThat(renewed).containsExactly(first);
        assertThat(leases().holders(List.of(first, second, third)))
                .isEqualTo(Map.of(first, "replica-a", second, "replica-b"));
    }

    @Test
    void aRenewedLeaseOutlivesItsFirstTtl() throws InterruptedException {
        leases().tryAcquire(first, "replica-a", SHORT);

        assertThat(leases().renew(List.of(first), "replica-a", TTL)).containsExactly(first);
        Thread.sleep(SHORT.multipliedBy(2));

        assertThat(leases().tryAcquire(first, "replica-b", TTL)).isFalse();
    }

    @Test
    void releasesOnlyItsOwnLeases() {
        leases().tryAcquire(first, "replica-a", TTL);
        leases().tryAcquire(second, "replica-b", TTL);

        leases().release(List.of(first, second), "replica-a");

        assertThat(leases().holders(List.of(first, second))).isEqualTo(Map.of(second, "replica-b"));
        assertThat(leases().tryAcquire(first, "replica-c", TTL)).isTrue();
    }

    @Test
    void aRevokedLeaseIsFreeForAnyReplica() {
        leases().tryAcquire(first, "replica-a", TTL);

        leases().revoke(first);

        assertThat(leases().tryAcquire(first, "replica-b", TTL)).isTrue();
    }

    @Test
    void countsTheReplicasWhoseHeartbeatIsAlive() {
        assertThat(leases().heartbeat("replica-a", TTL)).isEqualTo(1);
        assertThat(leases().heartbeat("replica-b", SHORT)).isEqualTo(2);

        await().atMost(Duration.ofSeconds(5)).until(() -> leases().heartbeat("replica-a", TTL) == 1);
    }

    @Test
    void aReplicaThatLeftNoLongerCounts() {
        leases().heartbeat("replica-a", TTL);
        leases().heartbeat("replica-b", TTL);

        leases().leave("replica-b");

        assertThat(leases().heartbeat("replica-a", TTL)).isEqualTo(1);
    }

    @Test
    void namesTheReplicasWhoseHeartbeatIsAlive() {
        leases().heartbeat("replica-a", TTL);
        leases().heartbeat("replica-b", SHORT);

        assertThat(leases().replicas()).containsExactlyInAnyOrder("replica-a", "replica-b");
        await().atMost(Duration.ofSeconds(5)).until(() -> leases().replicas().equals(Set.of("replica-a")));
        leases().leave("replica-a");
        assertThat(leases().replicas()).isEmpty();
    }
}
