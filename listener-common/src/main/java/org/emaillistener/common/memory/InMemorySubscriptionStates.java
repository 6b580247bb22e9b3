package org.emaillistener.common.memory;

import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.emaillistener.common.state.DeliveryProblem;
import org.emaillistener.common.state.SubscriptionState;
import org.emaillistener.common.state.SubscriptionStates;

public class InMemorySubscriptionStates implements SubscriptionStates {

    private final ConcurrentHashMap<UUID, SubscriptionState> states = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<UUID, DeliveryProblem> problems = new ConcurrentHashMap<>();

    @Override
    public void save(UUID mailboxId, SubscriptionState state) {
        states.put(mailboxId, state);
    }

    @Override
    public Optional<SubscriptionState> find(UUID mailboxId) {
        return Optional.ofNullable(states.get(mailboxId));
    }

    @Override
    public void remove(UUID mailboxId) {
        states.remove(mailboxId);
        problems.remove(mailboxId);
    }

    @Override
    public void saveDeliveryProblem(UUID mailboxId, DeliveryProblem problem) {
        problems.put(mailboxId, problem);
    }

    @Override
    public Optional<DeliveryProblem> findDeliveryProblem(UUID mailboxId) {
        return Optional.ofNullable(problems.get(mailboxId));
    }

    @Override
    public void clearDeliveryProblem(UUID mailboxId) {
        problems.remove(mailboxId);
    }
}
