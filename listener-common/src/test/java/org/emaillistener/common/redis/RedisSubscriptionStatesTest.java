package org.emaillistener.common.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.emaillistener.common.state.DeliveryProblem;
import org.emaillistener.common.state.SubscriptionState;
import org.emaillistener.common.state.SubscriptionState.Status;
import org.emaillistener.common.state.SubscriptionStates;
import org.emaillistener.common.state.SubscriptionStatesContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RedisSubscriptionStatesTest extends SubscriptionStatesContract {

    private final RedisTestStore store = new RedisTestStore();
    private final RedisSubscriptionStates states = new RedisSubscriptionStates(store.redis, store.keys);

    @AfterEach
    void removeTheTestsKeys() {
        store.close();
    }

    @Override
    protected SubscriptionStates states() {
        return states;
    }

    @Test
    void keepsTheStateAsJsonReadableByOperators() {
        states.save(mailbox, new SubscriptionState(Status.LISTENING, null, null, Instant.parse("2025-03-01T10:00:00Z")));

        assertThat(store.redis.opsForValue().get(store.keys.state(mailbox)))
                .contains("\"status\":\"LISTENING\"", "\"since\":\"2025-03-01T10:00:00Z\"");
    }

    @Test
    void aRemovedStateLeavesNoKeyBehind() {
        states.save(mailbox, SubscriptionState.of(Status.LISTENING));
        states.saveDeliveryProblem(mailbox, new DeliveryProblem("INBOX", "Creatio answered 500", Instant.now()));

        states.remove(mailbox);

        assertThat(store.keysInUse()).isEmpty();
    }
}
