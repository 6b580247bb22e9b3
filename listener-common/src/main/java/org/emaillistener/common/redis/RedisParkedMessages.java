package org.emaillistener.common.redis;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.emaillistener.common.parking.ParkedMessage;
import org.emaillistener.common.parking.ParkedMessages;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/** A mailbox's parked messages as JSON in the hash {@code el:parked:{id}}, one field per folder and UID. */
class RedisParkedMessages implements ParkedMessages {

    /** KEYS: the hash, the change log; ARGV: the field, the message, the mailbox id. */
    private static final RedisScript<Long> PARK = RedisScript.of(RedisMailboxChanges.ANNOUNCE + """
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            announce(KEYS[2], ARGV[3], 'parked')
            return 1
            """, Long.class);

    /** KEYS: the hash, the change log; ARGV: the mailbox id, the field (none: all). */
    private static final RedisScript<Long> UNPARK = RedisScript.of(RedisMailboxChanges.ANNOUNCE + """
            local removed
            if ARGV[2] then
              removed = redis.call('HDEL', KEYS[1], ARGV[2])
            else
              removed = redis.call('DEL', KEYS[1])
            end
            if removed > 0 then
              announce(KEYS[2], ARGV[1], 'parked')
            end
            return removed
            """, Long.class);

    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> COUNTS = RedisScript.of("""
            local counts = {}
            for i, key in ipairs(KEYS) do
              counts[i] = redis.call('HLEN', key)
            end
            return counts
            """, List.class);

    private final StringRedisTemplate redis;
    private final RedisKeys keys;

    RedisParkedMessages(StringRedisTemplate redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    @Override
    public void park(ParkedMessage message) {
        redis.execute(PARK, List.of(keys.parked(message.mailboxId()), keys.changes()),
                field(message.folder(), message.uid()), StoredJson.MAPPER.writeValueAsString(message),
                message.mailboxId().toString());
    }

    @Override
    public List<ParkedMessage> of(UUID mailboxId) {
        return redis.opsForHash().values(keys.parked(mailboxId)).stream()
                .map(value -> StoredJson.MAPPER.readValue(value.toString(), ParkedMessage.class))
                .sorted(Comparator.comparing(ParkedMessage::parkedAt))
                .toList();
    }

    @Override
    public Optional<ParkedMessage> find(UUID mailboxId, String folder, long uid) {
        Object stored = redis.opsForHash().get(keys.parked(mailboxId), field(folder, uid));
        return Optional.ofNullable(stored)
                .map(value -> StoredJson.MAPPER.readValue(value.toString(), ParkedMessage.class));
    }

    @Override
    public void remove(UUID mailboxId, String folder, long uid) {
        redis.execute(UNPARK, List.of(keys.parked(mailboxId), keys.changes()), mailboxId.toString(), field(folder, uid));
    }

    @Override
    public void removeAll(UUID mailboxId) {
        redis.execute(UNPARK, List.of(keys.parked(mailboxId), keys.changes()), mailboxId.toString());
    }

    /** One script per {@value Batches#SIZE} mailboxes. */
    @Override
    public Map<UUID, Integer> counts(Collection<UUID> mailboxIds) {
        Map<UUID, Integer> counts = new HashMap<>();
        for (List<UUID> batch : Batches.of(mailboxIds)) {
            List<?> found = redis.execute(COUNTS, batch.stream().map(keys::parked).toList());
            for (int i = 0; i < batch.size(); i++) {
                int count = ((Number) found.get(i)).intValue();
                if (count > 0) {
                    counts.put(batch.get(i), count);
                }
            }
        }
        return counts;
    }

    /** Folder names may hold any character but NUL. */
    private static String field(String folder, long uid) {
        return folder + "\u0000" + uid;
    }
}
