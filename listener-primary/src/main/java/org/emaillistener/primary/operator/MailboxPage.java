package org.emaillistener.primary.operator;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * One page of the mailbox list.
 *
 * @param total how many mailboxes match the filters in all
 */
public record MailboxPage(int total, int page, int size, List<Entry> mailboxes) {

    /**
     * One mailbox of the page.
     *
     * @param ownerLive whether the replica named as owner is alive
     * @param error its last error, for people, or null
     * @param deliveryProblem why its mail does not reach Creatio, or null
     */
    public record Entry(UUID id, String address, String protocol, String server, String creatioHost,
            String state, String errorKind, String error, Instant stateSince, Instant lastEventAt,
            Instant lastDeliveredAt, String owner, boolean ownerLive, int parked, String deliveryProblem,
            Instant registeredAt) {

        static Entry of(MailboxRow row, ConsoleState state, Set<String> liveReplicas) {
            var subscription = row.state();
            return new Entry(row.id(), row.address(), row.protocol().name(), row.server(), row.creatioHost(),
                    state.name(), subscription == null || subscription.errorKind() == null ? null
                            : subscription.errorKind().name(),
                    subscription == null ? null : subscription.errorMessage(),
                    subscription == null ? null : subscription.since(),
                    subscription == null ? null : subscription.lastEventAt(), row.lastDeliveredAt(), row.owner(),
                    row.owner() != null && liveReplicas.contains(row.owner()), row.parked(),
                    row.deliveryProblem() == null ? null : row.deliveryProblem().failure(), row.registeredAt());
        }
    }
}
