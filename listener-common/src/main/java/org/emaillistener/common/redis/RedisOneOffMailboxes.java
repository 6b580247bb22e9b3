package org.emaillistener.common.redis;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import org.emaillistener.common.registry.OneOffMailboxes;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * One-off mailboxes in {@code el:one-off:{id}}, as the registry stores a mailbox (credentials sealed),
 * with Redis's own expiry: credentials an import left behind are gone after their TTL whatever
 * happened to the process that held them.
 */
class RedisOneOffMailboxes implements OneOffMailboxes {

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final StoredMailboxFormat format;

    RedisOneOffMailboxes(StringRedisTemplate redis, RedisKeys keys, StoredMailboxFormat format) {
        this.redis = redis;
        this.keys = keys;
        this.format = format;
    }

    @Override
    public void hold(RegisteredMailbox mailbox, Duration ttl) {
        redis.opsForValue().set(keys.oneOff(mailbox.id()), format.write(mailbox), ttl);
    }

    @Override
    public Optional<RegisteredMailbox> find(UUID mailboxId) {
        return Optional.ofNullable(redis.opsForValue().get(keys.oneOff(mailboxId)))
                .map(value -> format.read(mailboxId, value));
    }

    @Override
    public void release(UUID mailboxId) {
        redis.delete(keys.oneOff(mailboxId));
    }
}
