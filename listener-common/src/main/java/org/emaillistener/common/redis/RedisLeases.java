package org.emaillistener.common.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.emaillistener.common.lease.Leases;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * A lease is {@code el:lease:{id}} holding the holder's id, with a TTL. Renewing and releasing are
 * scripts that touch only the keys still holding this holder's id, in batches of {@value Batches#SIZE}
 * keys so that no one script keeps Redis busy for long.
 */
public class RedisLeases implements Leases {

    /** KEYS: the lease, the change log; ARGV: the holder, the TTL in ms, the mailbox id. */
    private static final RedisScript<Long> ACQUIRE = RedisScript.of(RedisMailboxChanges.ANNOUNCE + """
            local holder = redis.call('GET', KEYS[1])
            if holder == ARGV[1] then
              redis.call('PEXPIRE', KEYS[1], ARGV[2])
              return 1
            end
            if holder then
              return 0
            end
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            announce(KEYS[2], ARGV[3], 'lease')
            return 1
            """, Long.class);

    /** Returns the 1-based positions of the keys renewed. */
    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> RENEW = RedisScript.of("""
            local renewed = {}
            for i, key in ipairs(KEYS) do
              if redis.call('GET', key) == ARGV[1] then
                redis.call('PEXPIRE', key, ARGV[2])
                renewed[#renewed + 1] = i
              end
            end
            return renewed
            """, List.class);

    /** KEYS: the leases, the change log last; ARGV: the holder, then the mailbox ids in the leases' order. */
    private static final RedisScript<Long> RELEASE = RedisScript.of(RedisMailboxChanges.ANNOUNCE + """
            local released = 0
            for i = 1, #KEYS - 1 do
              if redis.call('GET', KEYS[i]) == ARGV[1] then
                released = released + redis.call('DEL', KEYS[i])
                announce(KEYS[#KEYS], ARGV[i + 1], 'lease')
              end
            end
            return released
            """, Long.class);

    /** Replicas are members of a sorted set scored by when their heartbeat expires (server time, ms). */
    /** KEYS: the lease, the change log; ARGV: the mailbox id. */
    private static final RedisScript<Long> REVOKE = RedisScript.of(RedisMailboxChanges.ANNOUNCE + """
            if redis.call('DEL', KEYS[1]) == 1 then
              announce(KEYS[2], ARGV[1], 'lease')
              return 1
            end
            return 0
            """, Long.class);

    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> LIVE = RedisScript.of("""
            local time = redis.call('TIME')
            local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
            return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
            """, List.class);

    private static final RedisScript<Long> HEARTBEAT = RedisScript.of("""
            local time = redis.call('TIME')
            local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
            redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            return redis.call('ZCARD', KEYS[1])
            """, Long.class);

    private final StringRedisTemplate redis;
    private final RedisKeys keys;

    RedisLeases(StringRedisTemplate redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    @Override
    public boolean tryAcquire(UUID mailboxId, String holder, Duration ttl) {
        Long acquired = redis.execute(ACQUIRE, List.of(keys.lease(mailboxId), keys.changes()), holder, millis(ttl),
                mailboxId.toString());
        return acquired != null && acquired == 1;
    }

    @Override
    public Set<UUID> renew(Collection<UUID> mailboxIds, String holder, Duration ttl) {
        Set<UUID> renewed = new HashSet<>();
        for (List<UUID> batch : Batches.of(mailboxIds)) {
            List<?> positions = redis.execute(RENEW, leaseKeys(batch), holder, millis(ttl));
            if (positions != null) {
                positions.forEach(position -> renewed.add(batch.get(((Number) position).intValue() - 1)));
            }
        }
        return Set.copyOf(renewed);
    }

    @Override
    public void release(Collection<UUID> mailboxIds, String holder) {
        for (List<UUID> batch : Batches.of(mailboxIds)) {
            List<String> leaseKeys = new ArrayList<>(leaseKeys(batch));
            leaseKeys.add(keys.changes());
            List<String> args = new ArrayList<>(List.of(holder));
            batch.forEach(id -> args.add(id.toString()));
            redis.execute(RELEASE, leaseKeys, args.toArray());
        }
    }

    @Override
    public void revoke(UUID mailboxId) {
        redis.execute(REVOKE, List.of(keys.lease(mailboxId), keys.changes()), mailboxId.toString());
    }

    @Override
    public int heartbeat(String holder, Duration ttl) {
        Long replicas = redis.execute(HEARTBEAT, List.of(keys.replicas()), holder, millis(ttl));
        return replicas == null ? 1 : replicas.intValue();
    }

    @Override
    public void leave(String holder) {
        redis.opsForZSet().remove(keys.replicas(), holder);
    }

    @Override
    public Set<String> replicas() {
        List<?> live = redis.execute(LIVE, List.of(keys.replicas()));
        return live.stream().map(Object::toString).collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public Map<UUID, String> holders(Collection<UUID> mailboxIds) {
        Map<UUID, String> holders = new HashMap<>();
        for (List<UUID> batch : Batches.of(mailboxIds)) {
            List<String> values = redis.opsForValue().multiGet(leaseKeys(batch));
            for (int i = 0; values != null && i < batch.size(); i++) {
                if (values.get(i) != null) {
                    holders.put(batch.get(i), values.get(i));
                }
            }
        }
        return Map.copyOf(holders);
    }

    private List<String> leaseKeys(List<UUID> mailboxIds) {
        return mailboxIds.stream().map(keys::lease).toList();
    }


    private static String millis(Duration ttl) {
        return Long.toString(Math.max(1, ttl.toMillis()));
    }
}
