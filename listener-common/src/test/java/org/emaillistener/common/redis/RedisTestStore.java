package org.emaillistener.common.redis;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import org.emaillistener.common.testing.TestServers;
import org.springframework.data.redis.connection.DataType;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * A connection to the test Redis and a key prefix of the test's own; closing it deletes every key
 * under that prefix.
 */
final class RedisTestStore implements AutoCloseable {

    final StringRedisTemplate redis;
    final RedisKeys keys = new RedisKeys("el-test-" + UUID.randomUUID() + ":");
    private final LettuceConnectionFactory connectionFactory;

    RedisTestStore() {
        TestServers.Address address = TestServers.redis();
        connectionFactory = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration(address.host(), address.port()));
        connectionFactory.afterPropertiesSet();
        connectionFactory.start();
        redis = new StringRedisTemplate(connectionFactory);
    }

    /**
     * Every key under the test's prefix but the change log, which every store appends to and which
     * outlives what it tells of by design (its entries expire after {@code MailboxChanges.RETENTION}).
     */
    Set<String> keysInUse() {
        Set<String> found = new HashSet<>();
        try (Cursor<String> cursor = redis.scan(ScanOptions.scanOptions().match(keys.prefix() + "*").count(1000).build())) {
            cursor.forEachRemaining(found::add);
        }
        found.remove(keys.changes());
        return found;
    }

    /** Every key under the test's prefix with what it holds, as text. */
    Map<String, String> contents() {
        Map<String, String> contents = new TreeMap<>();
        for (String key : keysInUse()) {
            DataType type = redis.type(key);
            contents.put(key, switch (type) {
                case STRING -> redis.opsForValue().get(key);
                case SET -> String.valueOf(redis.opsForSet().members(key));
                case HASH -> String.valueOf(redis.opsForHash().entries(key));
                default -> throw new IllegalStateException(key + " is a " + type + ", which the store never writes");
            });
        }
        return contents;
    }

    @Override
    public void close() {
        Set<String> leftOver = keysInUse();
        leftOver.add(keys.changes());
        if (!leftOver.isEmpty()) {
            redis.delete(leftOver);
        }
        connectionFactory.destroy();
    }
}
