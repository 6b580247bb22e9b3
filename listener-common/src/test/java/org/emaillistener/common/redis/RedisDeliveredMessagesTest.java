package org.emaillistener.common.redis;

import static org.assertj.core.api.Assertions.assertThat;

import org.emaillistener.common.cursor.DeliveredMessages;
import org.emaillistener.common.cursor.DeliveredMessagesContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RedisDeliveredMessagesTest extends DeliveredMessagesContract {

    private final RedisTestStore store = new RedisTestStore();
    private final RedisDeliveredMessages delivered = new RedisDeliveredMessages(store.redis, store.keys, WINDOW);

    @AfterEach
    void removeTheTestsKeys() {
        store.close();
    }

    @Override
    protected DeliveredMessages delivered() {
        return delivered;
    }

    @Test
    void keepsNoMoreThanTheWindowInTheSortedSet() {
        for (int i = 1; i <= 4; i++) {
            delivered.record(mailbox, "<" + i + "@example.com>");
        }

        assertThat(store.redis.opsForZSet().size(store.keys.delivered(mailbox))).isEqualTo(WINDOW);
    }
}
