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

/**
 * The served mailboxes in {@code el:mailbox:{id}}, their ids in the set {@code el:mailboxes}; each one's
 * Creatio host in the hash {@code el:mailbox-creatio-host} and the mailboxes of each host in the set
 * {@code el:creatio-host:{host}}, so that registrations can be counted per host in one call. The host
 * is stored as its pseudonym under the encryption key ({@link StoredMailboxFormat#creatioHostKey}).
 */
public class RedisMailboxRegistry implements MailboxRegistry {

    /**
     * KEYS: the mailbox, the set of all, the hosts hash, the new host's set, the set of the host the
     * caller read for it, the change log; ARGV: the stored mailbox, its id, its host, the limit (0: none), the host read.
     * Returns -1 at the limit, -2 when the host moved since it was read (read again), else 1.
     */
    private static final RedisScript<Long> SAVE = RedisScript.of(RedisMailboxChanges.ANNOUNCE + """
            local before = redis.call('HGET', KEYS[3], ARGV[2]) or ''
            if before ~= ARGV[5] then
              return -2
            end
            local limit = tonumber(ARGV[4])
            if limit > 0 and redis.call('SISMEMBER', KEYS[4], ARGV[2]) == 0 and redis.call('SCARD', KEYS[4]) >= limit then
              return -1
            end
            redis.call('SET', KEYS[1], ARGV[1])
            redis.call('SADD', KEYS[2], ARGV[2])
            if KEYS[5] ~= KEYS[4] then
              redis.call('SREM', KEYS[5], ARGV[2])
            end
            redis.call('SADD', KEYS[4], ARGV[2])
            redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
            announce(KEYS[6], ARGV[2], 'registration')
            return 1
            """, Long.class);

    /** KEYS: the mailbox, the set of all, the hosts hash, the set of the host read, the change log; ARGV: the id, that host. */
    private static final RedisScript<Long> REMOVE = RedisScript.of(RedisMailboxChanges.ANNOUNCE + """
            if (redis.call('HGET', KEYS[3], ARGV[1]) or '') ~= ARGV[2] then
              return -2
            end
            redis.call('SREM', KEYS[2], ARGV[1])
            redis.call('SREM', KEYS[4], ARGV[1])
            redis.call('HDEL', KEYS[3], ARGV[1])
            announce(KEYS[5], ARGV[1], 'registration')
            return redis.call('DEL', KEYS[1])
            """, Long.class);

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
        saveWithin(mailbox, 0);
    }

    @Override
    public boolean saveWithin(RegisteredMailbox mailbox, int perCreatioHost) {
        String id = mailbox.id().toString();
        String host = format.creatioHostKey(mailbox.creatioHost());
        String stored = format.write(mailbox);
        while (true) {
            String before = hostOf(id);
            Long saved = redis.execute(SAVE, List.of(keys.mailbox(mailbox.id()), keys.mailboxes(),
                    keys.mailboxCreatioHosts(), keys.creatioHostMailboxes(host), keys.creatioHostMailboxes(before), keys.changes()),
                    stored, id, host, String.valueOf(perCreatioHost), before);
            if (saved == null || saved != -2) {
                return saved != null && saved > 0;
            }
        }
    }

    @Override
    public long countFor(String creatioHost) {
        Long count = redis.opsForSet().size(keys.creatioHostMailboxes(format.creatioHostKey(creatioHost)));
        return count == null ? 0 : count;
    }

    private String hostOf(String id) {
        Object host = redis.opsForHash().get(keys.mailboxCreatioHosts(), id);
        return host == null ? "" : host.toString();
    }

    @Override
    public Optional<RegisteredMailbox> find(UUID id) {
        return Optional.ofNullable(redis.opsForValue().get(keys.mailbox(id))).map(value -> format.read(id, value));
    }

    /** MGET in batches of {@value Batches#SIZE} keys: one round trip per batch, not per mailbox. */
    @Override
    public Map<UUID, RegisteredMailbox> findAll(Collection<UUID> ids) {
        Map<UUID, RegisteredMailbox> found = new HashMap<>();
        for (List<UUID> batch : Batches.of(ids)) {
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
        while (true) {
            String host = hostOf(id.toString());
            Long removed = redis.execute(REMOVE, List.of(keys.mailbox(id), keys.mailboxes(), keys.mailboxCreatioHosts(),
                    keys.creatioHostMailboxes(host), keys.changes()), id.toString(), host);
            if (removed == null || removed != -2) {
                return removed != null && removed > 0;
            }
        }
    }

    @Override
    public Set<UUID> ids() {
        Set<String> members = redis.opsForSet().members(keys.mailboxes());
        return members == null ? Set.of() : members.stream().map(UUID::fromString).collect(Collectors.toUnmodifiableSet());
    }
}
