package org.emaillistener.common.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RedisDeliveredMessagesTest {

    private final RedisTestStore store = new RedisTestStore();
    private final RedisDeliveredMessages delivered = new RedisDeliveredMessages(store.redis, store.keys, 3);
    private final UUID mailbox = UUID.randomUUID();

    @AfterEach
    void removeTheTestsKeys() {
        store.close();
    }

    @Test
    void remembersTheNewestMessageIdsOfTheWindow() {
        for (int i = 1; i <= 4; i++) {
            delivered.record(mailbox, "<" + i + "@example.com>");
        }

        assertThat(delivered.contains(mailbox, "<1@example.com>")).isFalse();
        assertThat(delivered.contains(mailbox, "<4@example.com>")).isTrue();
        assertThat(delivered.contains(UUID.randomUUID(), "<4@example.com>")).isFalse();
        assertThat(store.redis.opsForZSet().size(store.keys.delivered(mailbox))).isEqualTo(3);

        delivered.removeAll(mailbox);
        assertThat(delivered.contains(mailbox, "<4@example.com>")).isFalse();
    }
}
