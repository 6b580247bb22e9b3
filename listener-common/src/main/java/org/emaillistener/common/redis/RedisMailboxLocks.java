package org.emaillistener.common.redis;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.emaillistener.common.jobs.MailboxLocks;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * A lock is {@code el:lock:{id}} set with NX and a TTL to a random token. Releasing deletes it only
 * while it still holds that token: a holder whose lock expired must not release its successor's.
 */
public class RedisMailboxLocks implements MailboxLocks {

    private static final RedisScript<Long> RELEASE = RedisScript.of("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('DEL', KEYS[1])
            end
            return 0
            """, Long.class);

    private static final RedisScript<Long> EXTEND = RedisScript.of("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('PEXPIRE', KEYS[1], ARGV[2])
            end
            return 0
            """, Long.class);

    private final StringRedisTemplate redis;
    private final RedisKeys keys;

    RedisMailboxLocks(StringRedisTemplate redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    @Override
    public Optional<Lock> tryLock(UUID mailboxId, Duration ttl) {
        String key = keys.lock(mailboxId);
        String token = UUID.randomUUID().toString();
        if (!Boolean.TRUE.equals(redis.opsForValue().setIfAbsent(key, token, ttl))) {
            return Optional.empty();
        }
        return Optional.of(new Lock() {
            @Override
            public boolean extend(Duration extension) {
                Long extended = redis.execute(EXTEND, List.of(key), token,
                        Long.toString(Math.max(1, extension.toMillis())));
                return extended != null && extended == 1;
            }

            @Override
            public void close() {
                redis.execute(RELEASE, List.of(key), token);
            }
        });
    }
}
