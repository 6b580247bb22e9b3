package org.emaillistener.common.redis;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.emaillistener.common.history.HistoryImport;
import org.emaillistener.common.history.HistoryImports;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * A mailbox's history imports as JSON in the hash {@code el:history:{id}}, one field per filter, so
 * that an import's progress outlives the process that ran it.
 */
class RedisHistoryImports implements HistoryImports {

    /** Writes the new import only if the field still holds what was read (nothing: ""). */
    private static final RedisScript<Long> REPLACE_IF_UNCHANGED = RedisScript.of("""
            local current = redis.call('HGET', KEYS[1], ARGV[1])
            if (current or '') ~= ARGV[2] then
              return 0
            end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
            return 1
            """, Long.class);

    /** Writes the import unless the stored one was ended (Jackson writes {@code "status":"ENDED"}). */
    private static final RedisScript<Long> SAVE_UNLESS_ENDED = RedisScript.of("""
            local current = redis.call('HGET', KEYS[1], ARGV[1])
            if current and string.find(current, '"status":"ENDED"', 1, true) then
              return 0
            end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            return 1
            """, Long.class);

    private final StringRedisTemplate redis;
    private final RedisKeys keys;

    RedisHistoryImports(StringRedisTemplate redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    @Override
    public boolean start(UUID mailboxId, String filter) {
        String fresh = StoredJson.MAPPER.writeValueAsString(HistoryImport.started(mailboxId, filter));
        while (true) {
            Object stored = redis.opsForHash().get(keys.history(mailboxId), filter);
            String current = stored == null ? "" : stored.toString();
            if (!current.isEmpty() && read(current).running(Instant.now())) {
                return false;
            }
            Long replaced = redis.execute(REPLACE_IF_UNCHANGED, List.of(keys.history(mailboxId)), filter, current,
                    fresh);
            if (replaced != null && replaced == 1) {
                return true;
            }
        }
    }

    @Override
    public Optional<HistoryImport> find(UUID mailboxId, String filter) {
        Object stored = redis.opsForHash().get(keys.history(mailboxId), filter);
        return Optional.ofNullable(stored).map(value -> read(value.toString()));
    }

    @Override
    public List<HistoryImport> of(UUID mailboxId) {
        return redis.opsForHash().values(keys.history(mailboxId)).stream()
                .map(value -> read(value.toString()))
                .sorted(Comparator.comparing(HistoryImport::startedAt))
                .toList();
    }

    @Override
    public void save(HistoryImport historyImport) {
        redis.execute(SAVE_UNLESS_ENDED, List.of(keys.history(historyImport.mailboxId())), historyImport.filter(),
                StoredJson.MAPPER.writeValueAsString(historyImport));
    }

    @Override
    public boolean end(UUID mailboxId, String filter) {
        while (true) {
            Object stored = redis.opsForHash().get(keys.history(mailboxId), filter);
            if (stored == null || read(stored.toString()).finished()) {
                return false;
            }
            String ended = StoredJson.MAPPER.writeValueAsString(read(stored.toString()).ended());
            Long replaced = redis.execute(REPLACE_IF_UNCHANGED, List.of(keys.history(mailboxId)), filter,
                    stored.toString(), ended);
            if (replaced != null && replaced == 1) {
                return true;
            }
        }
    }

    @Override
    public void removeAll(UUID mailboxId) {
        redis.delete(keys.history(mailboxId));
    }

    private static HistoryImport read(String json) {
        return StoredJson.MAPPER.readValue(json, HistoryImport.class);
    }
}
