package org.emaillistener.common.redis;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.emaillistener.common.jobs.MailboxLocks;
import org.emaillistener.common.jobs.SyncJob;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * A lock is {@code el:lock:{id}} set with NX and a TTL to a random token. Releasing deletes it only
 * while it still holds that token: a holder whose lock expired must not release its successor's.
 * Dirty folders are the hash {@code el:dirty:{id}}, folder to {@code rank|reason|epoch millis}; a
 * holder releases only while the hash does not exist, in the same script that checks its token, so
 * that a mark made before another syncer's failed {@code SET NX} is always seen. The hash expires an
 * hour after its last mark: a mark whose holder died is taken by the mailbox's next sync job, or made
 * redundant by the safety check.
 */
public class RedisMailboxLocks implements MailboxLocks {

    private static final Duration DIRTY_TTL = Duration.ofHours(1);

    private static final RedisScript<Long> RELEASE = RedisScript.of("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('DEL', KEYS[1])
            end
            return 0
            """, Long.class);

    private static final RedisScript<Long> RELEASE_IF_CLEAN = RedisScript.of("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              if redis.call('EXISTS', KEYS[2]) == 1 then
                return 0
              end
              redis.call('DEL', KEYS[1])
            end
            return 1
            """, Long.class);

    private static final RedisScript<Long> EXTEND = RedisScript.of("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('PEXPIRE', KEYS[1], ARGV[2])
            end
            return 0
            """, Long.class);

    /** ARGV: folder, rank, reason, epoch millis, TTL millis. Keeps the higher rank and the earlier time. */
    private static final RedisScript<Long> MARK = RedisScript.of("""
            local rank, reason, since = tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
            local current = redis.call('HGET', KEYS[1], ARGV[1])
            if current then
              local r, n, s = string.match(current, '^(%d+)|([^|]+)|(%d+)$')
              if r and tonumber(r) > rank then rank, reason = tonumber(r), n end
              if s and tonumber(s) < since then since = tonumber(s) end
            end
            redis.call('HSET', KEYS[1], ARGV[1], rank .. '|' .. reason .. '|' .. since)
            return redis.call('PEXPIRE', KEYS[1], ARGV[5])
            """, Long.class);

    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> TAKE = RedisScript.of("""
            local all = redis.call('HGETALL', KEYS[1])
            redis.call('DEL', KEYS[1])
            return all
            """, List.class);

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
        return Optional.of(new HeldLock(mailboxId, key, token));
    }

    @Override
    public void markDirty(UUID mailboxId, String folder, Dirty dirty) {
        redis.execute(MARK, List.of(keys.dirty(mailboxId)), folder, Integer.toString(Dirty.rank(dirty.reason())),
                dirty.reason().name(), Long.toString(dirty.since().toEpochMilli()),
                Long.toString(DIRTY_TTL.toMillis()));
    }

    private final class HeldLock implements Lock {

        private final UUID mailboxId;
        private final String key;
        private final String token;

        private HeldLock(UUID mailboxId, String key, String token) {
            this.mailboxId = mailboxId;
            this.key = key;
            this.token = token;
        }

        @Override
        public boolean extend(Duration extension) {
            Long extended = redis.execute(EXTEND, List.of(key), token, Long.toString(Math.max(1, extension.toMillis())));
            return extended != null && extended == 1;
        }

        @Override
        public Map<String, Dirty> takeDirty() {
            List<?> flat = redis.execute(TAKE, List.of(keys.dirty(mailboxId)));
            Map<String, Dirty> taken = new HashMap<>();
            for (int i = 0; flat != null && i + 1 < flat.size(); i += 2) {
                String[] value = String.valueOf(flat.get(i + 1)).split("\\|");
                if (value.length == 3) {
                    taken.put(String.valueOf(flat.get(i)), new Dirty(SyncJob.Reason.valueOf(value[1]),
                            Instant.ofEpochMilli(Long.parseLong(value[2]))));
                }
            }
            return taken;
        }

        @Override
        public boolean releaseIfClean() {
            Long released = redis.execute(RELEASE_IF_CLEAN, List.of(key, keys.dirty(mailboxId)), token);
            return released == null || released == 1;
        }

        @Override
        public void close() {
            redis.execute(RELEASE, List.of(key), token);
        }
    }
}
