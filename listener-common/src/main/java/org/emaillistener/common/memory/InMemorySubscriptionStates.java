package org.emaillistener.common.memory;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.emaillistener.common.changes.MailboxChange;
import org.emaillistener.common.state.DeliveryProblem;
import org.emaillistener.common.state.SubscriptionState;
import org.emaillistener.common.state.SubscriptionStates;

public class InMemorySubscriptionStates implements SubscriptionStates {

    private final ConcurrentHashMap<UUID, SubscriptionState> states = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<UUID, DeliveryProblem> problems = new ConcurrentHashMap<>();

    private final InMemoryMailboxChanges changes;

    public InMemorySubscriptionStates() {
        this(new InMemoryMailboxChanges());
    }

    /** A store that records its changes in {@code changes}, the log its readers share. */
    public InMemorySubscriptionStates(InMemoryMailboxChanges changes) {
        this.changes = changes;
    }

    @Override
    public void save(UUID mailboxId, SubscriptionState state) {
        states.put(mailboxId, state);
        changes.announce(mailboxId, MailboxChange.Kind.STATE);
    }

    @Override
    public Optional<SubscriptionState> find(UUID mailboxId) {
        return Optional.ofNullable(states.get(mailboxId));
    }

    @Override
    public void remove(UUID mailboxId) {
        if (states.remove(mailboxId) != null | problems.remove(mailboxId) != null) {
            changes.announce(mailboxId, MailboxChange.Kind.STATE);
        }
    }

    @Override
    public void saveDeliveryProblem(UUID mailboxId, DeliveryProblem problem) {
        problems.put(mailboxId, problem);
        changes.announce(mailboxId, MailboxChange.Kind.STATE);
    }

    @Override
    public Optional<DeliveryProblem> findDeliveryProblem(UUID mailboxId) {
        return Optional.ofNullable(problems.get(mailboxId));
    }

    @Override
    public void clearDeliveryProblem(UUID mailboxId) {
        if (problems.remove(mailboxId) != null) {
            changes.announce(mailboxId, MailboxChange.Kind.STATE);
        }
    }

    @Override
    public Map<UUID, SubscriptionState> findAll(Collection<UUID> mailboxIds) {
        return found(mailboxIds, states);
    }

    @Override
    public Map<UUID, DeliveryProblem> findDeliveryProblems(Collection<UUID> mailboxIds) {
        return found(mailboxIds, problems);
    }

    private static <T> Map<UUID, T> found(Collection<UUID> mailboxIds, Map<UUID, T> values) {
        Map<UUID, T> found = new HashMap<>();
        mailboxIds.forEach(id -> {
            T value = values.get(id);
            if (value != null) {
                found.put(id, value);
            }
        });
        return found;
    }
}
