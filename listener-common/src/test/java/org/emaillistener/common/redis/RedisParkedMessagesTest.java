package org.emaillistener.common.redis;

import org.emaillistener.common.parking.ParkedMessages;
import org.emaillistener.common.parking.ParkedMessagesContract;
import org.junit.jupiter.api.AfterEach;

class RedisParkedMessagesTest extends ParkedMessagesContract {

    private final RedisTestStore store = new RedisTestStore();
    private final RedisParkedMessages parked = new RedisParkedMessages(store.redis, store.keys);

    @AfterEach
    void removeTheTestsKeys() {
        store.close();
    }

    @Override
    protected ParkedMessages parked() {
        return parked;
    }
}
