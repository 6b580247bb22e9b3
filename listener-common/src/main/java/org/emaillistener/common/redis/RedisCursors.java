package org.emaillistener.common.redis;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import org.emaillistener.common.cursor.Cursors;
import org.emaillistener.common.cursor.SyncCursor;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Each folder's cursor in {@code el:cursor:{id}:{folder}}; the mailbox's folders that have one in
 * the set {@code el:cursors:{id}}, kept in the same script as the cursor so that
 * {@link #removeAll} never misses one.
 */
public class RedisCursors implements Cursors {

    private static final RedisScript<Long> SAVE = RedisScript.of("""
            redis.call('SET', KEYS[1], ARGV[1])
            return redis.call('SADD', KEYS[2], ARGV[2])
            """, Long.class);

    /** Returns the cursor in force: the one given if the folder had none, else the stored one. */
    private static final RedisScript<String> SAVE_IF_ABSENT = RedisScript.of("""
            if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
              redis.call('SADD', KEYS[2], ARGV[2])
              return ARGV[1]
            end
            return redis.call('GET', KEYS[1])
            """, String.class);

    /** KEYS[1]: the set of folders; ARGV[1]: the key of a cursor without its folder name. */
    private static final RedisScript<Long> REMOVE_ALL = RedisScript.of("""
            for _, folder in ipairs(redis.call('SMEMBERS', KEYS[1])) do
              redis.call('DEL', ARGV[1] .. folder)
            end
            return redis.call('DEL', KEYS[1])
            """, Long.class);

    private final StringRedisTemplate redis;
    private final RedisKeys keys;

    RedisCursors(StringRedisTemplate redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    @Override
    public Optional<SyncCursor> find(UUID mailboxId, String folder) {
        return Optional.ofNullable(redis.opsForValue().get(keys.cursor(mailboxId, folder))).map(RedisCursors::read);
    }

    @Override
    public void save(UUID mailboxId, String folder, SyncCursor cursor) {
        redis.execute(SAVE, List.of(keys.cursor(mailboxId, folder), keys.cursorFolders(mailboxId)), write(cursor),
                folder);
    }

    @Override
    public SyncCursor saveIfAbsent(UUID mailboxId, String folder, SyncCursor cursor) {
        String inForce = redis.execute(SAVE_IF_ABSENT,
                List.of(keys.cursor(mailboxId, folder), keys.cursorFolders(mailboxId)), write(cursor), folder);
        return read(inForce);
    }

    @Override
    public void removeAll(UUID mailboxId) {
        redis.execute(REMOVE_ALL, List.of(keys.cursorFolders(mailboxId)), keys.cursorPrefix(mailboxId));
    }

    @Override
    public Map<String, SyncCursor> of(UUID mailboxId) {
        Set<String> folders = redis.opsForSet().members(keys.cursorFolders(mailboxId));
        Map<String, SyncCursor> found = new TreeMap<>();
        if (folders == null || folders.isEmpty()) {
            return found;
        }
        List<String> names = List.copyOf(folders);
        List<String> values = redis.opsForValue().multiGet(names.stream().map(name -> keys.cursor(mailboxId, name)).toList());
        for (int i = 0; values != null && i < names.size(); i++) {
            if (values.get(i) != null) {
                found.put(names.get(i), read(values.get(i)));
            }
        }
        return found;
    }

    private static String write(SyncCursor cursor) {
        return StoredJson.MAPPER.writeValueAsString(cursor);
    }

    private static SyncCursor read(String value) {
        return StoredJson.MAPPER.readValue(value, SyncCursor.class);
    }
}
