package org.emaillistener.common.state;

import java.util.Optional;
import java.util.UUID;

/** The subscription state of each served mailbox. */
public interface SubscriptionStates {

    void save(UUID mailboxId, SubscriptionState state);

    Optional<SubscriptionState> find(UUID mailboxId);

    void remove(UUID mailboxId);
}
