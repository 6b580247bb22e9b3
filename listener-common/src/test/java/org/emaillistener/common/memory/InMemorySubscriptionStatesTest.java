package org.emaillistener.common.memory;

import org.emaillistener.common.state.SubscriptionStates;
import org.emaillistener.common.state.SubscriptionStatesContract;

class InMemorySubscriptionStatesTest extends SubscriptionStatesContract {

    private final InMemorySubscriptionStates states = new InMemorySubscriptionStates();

    @Override
    protected SubscriptionStates states() {
        return states;
    }
}
