package org.emaillistener.common.state;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The subscription state of each served mailbox. */
public interface SubscriptionStates {

    void save(UUID mailboxId, SubscriptionState state);

    Optional<SubscriptionState> find(UUID mailboxId);

    /** Removes the state and any delivery problem of the mailbox. */
    void remove(UUID mailboxId);

    void saveDeliveryProblem(UUID mailboxId, DeliveryProblem problem);

    Optional<DeliveryProblem> findDeliveryProblem(UUID mailboxId);

    void clearDeliveryProblem(UUID mailboxId);

    /** The states of these mailboxes; one without a state is absent. */
    Map<UUID, SubscriptionState> findAll(Collection<UUID> mailboxIds);

    /** The delivery problems of these mailboxes; one without a problem is absent. */
    Map<UUID, DeliveryProblem> findDeliveryProblems(Collection<UUID> mailboxIds);
}
