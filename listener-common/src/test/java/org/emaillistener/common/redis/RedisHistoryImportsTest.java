package org.emaillistener.common.redis;

import org.emaillistener.common.history.HistoryImports;
import org.emaillistener.common.history.HistoryImportsContract;
import org.junit.jupiter.api.AfterEach;

class RedisHistoryImportsTest extends HistoryImportsContract {

    private final RedisTestStore store = new RedisTestStore();
    private final RedisHistoryImports imports = new RedisHistoryImports(store.redis, store.keys);

    @AfterEach
    void removeTheTestsKeys() {
        store.close();
    }

    @Override
    protected HistoryImports imports() {
        return imports;
    }
}
