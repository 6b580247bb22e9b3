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
 * @param capacity the most mailboxes this replica subscribes to
 * @param leaseTtl how long a lease outlives its last renewal: a dead replica's mailboxes are taken
 *        over after at most this plus one reconcile interval
 * @param reconcileInterval how often leases are renewed and unowned mailboxes claimed
 * @param handoversPerRound the most mailboxes given up to other replicas per round while rebalancing,
 *        so that a new replica does not cause a reconnect storm
 */
@Validated
@ConfigurationProperties("listener.primary")
public record OwnershipProperties(
        @DefaultValue("") String replicaId,
        @DefaultValue("5000") @Min(1) int capacity,
        @DefaultValue("15s") Duration leaseTtl,
        @DefaultValue("3s") Duration reconcileInterval,
        @DefaultValue("50") @Min(1) int handoversPerRound) {
}
