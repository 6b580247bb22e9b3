package org.emaillistener.common.redis;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.emaillistener.common.registry.MailboxRegistry;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/** The served mailboxes in {@code el:mailbox:{id}}, their ids in the set {@code el:mailboxes}. */
public class RedisMailboxRegistry implements MailboxRegistry {

    private static final RedisScript<Long> SAVE = RedisScript.of("""
            redis.call('SET', KEYS[1], ARGV[1])
            return redis.call('SADD', KEYS[2], ARGV[2])
            """, Long.class);

    private static final RedisScript<Long> REMOVE = RedisScript.of("""
            redis.call('SREM', KEYS[2], ARGV[1])
            return redis.call('DEL', KEYS[1])
            """, Long.class);

    private static final int BATCH = 500;

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final StoredMailboxFormat format;

    RedisMailboxRegistry(StringRedisTemplate redis, RedisKeys keys, StoredMailboxFormat format) {
        this.redis = redis;
        this.keys = keys;
        this.format = format;
    }

    @Override
    public void save(RegisteredMailbox mailbox) {
        redis.execute(SAVE, List.of(keys.mailbox(mailbox.id()), keys.mailboxes()), format.write(mailbox),
                mailbox.id().toString());
    }

    @Override
    public Optional<RegisteredMailbox> find(UUID id) {
        return Optional.ofNullable(redis.opsForValue().get(keys.mailbox(id))).map(value -> format.read(id, value));
    }

    /** MGET in batches of {@value #BATCH} keys: one round trip per batch, not per mailbox. */
    @Override
    public Map<UUID, RegisteredMailbox> findAll(Collection<UUID> ids) {
        Map<UUID, RegisteredMailbox> found = new HashMap<>();
        List<UUID> all = List.copyOf(ids);
        for (int from = 0; from < all.size(); from += BATCH) {
            List<UUID> batch = all.subList(from, Math.min(all.size(), from + BATCH));
            List<String> values = redis.opsForValue().multiGet(batch.stream().map(keys::mailbox).toList());
            for (int i = 0; values != null && i < batch.size(); i++) {
                if (values.get(i) != null) {
                    found.put(batch.get(i), format.read(batch.get(i), values.get(i)));
                }
            }
        }
        return found;
    }

    @Override
    public boolean remove(UUID id) {
        Long removed = redis.execute(REMOVE, List.of(keys.mailbox(id), keys.mailboxes()), id.toString());
        return removed != null && removed > 0;
    }

    @Override
    public Set<UUID> ids() {
        Set<String> members = redis.opsForSet().members(keys.mailboxes());
        return members == null ? Set.of() : members.stream().map(UUID::fromString).collect(Collectors.toUnmodifiableSet());
    }
}
