package org.emaillistener.common.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import org.emaillistener.common.state.FailureKind;
import org.emaillistener.common.state.SubscriptionState;
import org.emaillistener.common.state.SubscriptionState.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RedisSubscriptionStatesTest {

    private final RedisTestStore store = new RedisTestStore();
    private final RedisSubscriptionStates states = new RedisSubscriptionStates(store.redis, store.keys);
    private final UUID mailbox = UUID.randomUUID();

    @AfterEach
    void removeTheTestsKeys() {
        store.close();
    }

    @Test
    void returnsTheSavedStateWithItsFailure() {
        SubscriptionState failed = new SubscriptionState(Status.FAILED, FailureKind.AUTHENTICATION,
                "AUTHENTICATE failed", Instant.now().truncatedTo(ChronoUnit.MICROS));

        states.save(mailbox, failed);

        assertThat(states.find(mailbox)).contains(failed);
        assertThat(states.find(UUID.randomUUID())).isEmpty();
    }

    @Test
    void keepsOnlyTheLatestStateReadableByOperators() {
        states.save(mailbox, SubscriptionState.of(Status.CONNECTING));
        SubscriptionState listening = new SubscriptionState(Status.LISTENING, null, null,
                Instant.parse("2025-03-01T10:00:00Z"));

        states.save(mailbox, listening);

        assertThat(states.find(mailbox)).contains(listening);
        assertThat(store.redis.opsForValue().get(store.keys.state(mailbox)))
                .contains("\"status\":\"LISTENING\"", "\"since\":\"2025-03-01T10:00:00Z\"");
    }

    @Test
    void forgetsARemovedState() {
        states.save(mailbox, SubscriptionState.of(Status.LISTENING));

        states.remove(mailbox);

        assertThat(states.find(mailbox)).isEmpty();
        assertThat(store.keysInUse()).isEmpty();
    }
}
