package org.emaillistener.common.redis;

import java.util.List;
import java.util.UUID;

import org.emaillistener.common.cursor.DeliveredMessages;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The window of recently delivered Message-IDs in the sorted set {@code el:delivered:{id}}, scored by
 * delivery time; one script adds an id and trims the set to the newest {@code window}.
 */
class RedisDeliveredMessages implements DeliveredMessages {

    private static final RedisScript<Long> RECORD = RedisScript.of("""
            local time = redis.call('TIME')
            redis.call('ZADD', KEYS[1], tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000), ARGV[1])
            redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -1 - tonumber(ARGV[2]))
            return 1
            """, Long.class);

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final int window;

    RedisDeliveredMessages(StringRedisTemplate redis, RedisKeys keys, int window) {
        this.redis = redis;
        this.keys = keys;
        this.window = window;
    }

    @Override
    public void record(UUID mailboxId, String messageId) {
        redis.execute(RECORD, List.of(keys.delivered(mailboxId)), messageId, Integer.toString(window));
    }

    @Override
    public boolean contains(UUID mailboxId, String messageId) {
        return redis.opsForZSet().score(keys.delivered(mailboxId), messageId) != null;
    }

    @Override
    public void removeAll(UUID mailboxId) {
        redis.delete(keys.delivered(mailboxId));
    }
}
