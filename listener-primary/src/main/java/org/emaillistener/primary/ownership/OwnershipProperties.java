package org.emaillistener.primary.ownership;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.Min;

/**
 * How a primary replica takes its share of the mailboxes.
 *
 * @param replicaId this replica's name in the leases; empty: Creatio's {@code PodName} variable, else
 *        the host name and process id
 * @param capacity the most mailboxes this replica subscribes to; 0: no limit (a standalone process,
 *        which has no peers to hand mailboxes to). 10,000 is what {@code listener-bench} measures one
 *        replica to hold with its p99 under a second; a replica at capacity says so in its log, and
 *        the mailboxes nobody can take say why in their state
 * @param leaseTtl how long a lease outlives its last renewal: a dead replica's mailboxes are taken
 *        over after at most this plus one reconcile interval
 * @param reconcileInterval how often leases are renewed and unowned mailboxes claimed
 * @param handoversPerRound the most mailboxes given up to other replicas per round while rebalancing,
 *        so that a new replica does not cause a reconnect storm
 * @param maxMailboxesPerCreatioHost the most mailboxes registered for one Creatio host (their
 *        {@code BpmEndpoint}'s), whichever replica serves them; 0: no limit. A caller of the API who
 *        registers junk mailboxes then fills only their own host's share, not the replicas' capacity
 */
@Validated
@ConfigurationProperties("listener.primary")
public record OwnershipProperties(
        @DefaultValue("") String replicaId,
        @DefaultValue("10000") @Min(0) int capacity,
        @DefaultValue("15s") Duration leaseTtl,
        @DefaultValue("3s") Duration reconcileInterval,
        @DefaultValue("50") @Min(1) int handoversPerRound,
        @DefaultValue("0") @Min(0) int maxMailboxesPerCreatioHost) {

    /** The capacity as a limit: {@link Integer#MAX_VALUE} when there is none. */
    public int limit() {
        return capacity == 0 ? Integer.MAX_VALUE : capacity;
    }

    public boolean limited() {
        return capacity > 0;
    }
}
