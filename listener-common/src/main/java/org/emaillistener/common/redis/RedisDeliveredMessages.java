package org.emaillistener.common.redis;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.emaillistener.common.cursor.DeliveredMessages;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The window of recently delivered Message-IDs in the sorted set {@code el:delivered:{id}}, scored by
 * delivery time; one script adds an id and trims the set to the newest {@code window}.
 */
class RedisDeliveredMessages implements DeliveredMessages {

    private static final RedisScript<Long> RECORD = RedisScript.of(RedisMailboxChanges.ANNOUNCE + """
            local time = redis.call('TIME')
            redis.call('ZADD', KEYS[1], tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000), ARGV[1])
            redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -1 - tonumber(ARGV[2]))
            announce(KEYS[2], ARGV[3], 'delivered')
            return 1
            """, Long.class);

    /** The newest score of each sorted set, false for an empty one. */
    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> NEWEST = RedisScript.of("""
            local newest = {}
            for i, key in ipairs(KEYS) do
              local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
              newest[i] = last[2] or ''
            end
            return newest
            """, List.class);

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
        redis.execute(RECORD, List.of(keys.delivered(mailboxId), keys.changes()), messageId, Integer.toString(window),
                mailboxId.toString());
    }

    @Override
    public boolean contains(UUID mailboxId, String messageId) {
        return redis.opsForZSet().score(keys.delivered(mailboxId), messageId) != null;
    }

    @Override
    public void removeAll(UUID mailboxId) {
        redis.delete(keys.delivered(mailboxId));
    }

    /** The newest score of {@code el:delivered:{id}}: one script per {@value Batches#SIZE} mailboxes. */
    @Override
    public Map<UUID, Instant> lastDeliveredAt(Collection<UUID> mailboxIds) {
        Map<UUID, Instant> last = new HashMap<>();
        for (List<UUID> batch : Batches.of(mailboxIds)) {
            List<?> newest = redis.execute(NEWEST, batch.stream().map(keys::delivered).toList());
            for (int i = 0; i < batch.size(); i++) {
                String score = newest.get(i).toString();
                if (!score.isEmpty()) {
                    last.put(batch.get(i), Instant.ofEpochMilli((long) Double.parseDouble(score)));
                }
            }
        }
        return last;
    }
}
