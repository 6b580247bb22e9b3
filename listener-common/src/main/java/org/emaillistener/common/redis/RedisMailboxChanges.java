package org.emaillistener.common.redis;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import org.emaillistener.common.changes.MailboxChange;
import org.emaillistener.common.changes.MailboxChanges;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The change log as the stream {@code el:changes}. The stores append to it inside the script that
 * makes the change ({@link #ANNOUNCE}), so a change is never stored without its entry. A position is
 * {@code <entry id>/<entries added up to it>}: Redis 7's {@code entries-added} tells whether entries
 * after the position were trimmed since, which an id alone cannot.
 */
public class RedisMailboxChanges implements MailboxChanges {

    /**
     * A Lua function for the stores' scripts: {@code announce(key, mailboxId, kind)} appends an entry
     * and trims the entries older than {@link #RETENTION} (approximately: whole stream nodes).
     */
    static final String ANNOUNCE = """
            local function announce(key, id, kind)
              local t = redis.call('TIME')
              local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
              redis.call('XADD', key, 'MINID', '~', now - %d, '*', 'm', id, 'k', kind)
            end
            """.formatted(RETENTION.toMillis());

    private static final String INFO = """
            local function info(key)
              if redis.call('EXISTS', key) == 0 then
                return 0, 0, nil
              end
              local raw = redis.call('XINFO', 'STREAM', key)
              local length, added, last = 0, 0, nil
              for i = 1, #raw, 2 do
                if raw[i] == 'length' then length = raw[i + 1]
                elseif raw[i] == 'entries-added' then added = raw[i + 1]
                elseif raw[i] == 'last-generated-id' then last = raw[i + 1] end
              end
              return length, added, last
            end
            """;

    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> END = RedisScript.of(INFO + """
            local _, added, last = info(KEYS[1])
            return {last or '0-0', added}
            """, List.class);

    /**
     * ARGV: the entry id of the position, the entries added up to it, the most to return. Returns
     * {@code {1}} on a gap, else {@code {0, entries added, last generated id, entries...}}.
     */
    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> SINCE = RedisScript.of(INFO + """
            local length, added, last = info(KEYS[1])
            local ordinal = tonumber(ARGV[2])
            if added < ordinal or added - length > ordinal then
              return {1}
            end
            local result = {0, added, last or ARGV[1]}
            local entries = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', tonumber(ARGV[3]))
            for _, entry in ipairs(entries) do
              result[#result + 1] = entry
            end
            return result
            """, List.class);

    private final StringRedisTemplate redis;
    private final RedisKeys keys;

    RedisMailboxChanges(StringRedisTemplate redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /** The {@code kind} argument of {@link #ANNOUNCE} for a change of this kind. */
    static String kind(MailboxChange.Kind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String end() {
        List<?> end = redis.execute(END, List.of(keys.changes()));
        return end.get(0) + "/" + end.get(1);
    }

    @Override
    public Changes since(String position, int max) {
        int slash = position.lastIndexOf('/');
        String id = position.substring(0, slash);
        long ordinal = Long.parseLong(position.substring(slash + 1));
        List<?> result = redis.execute(SINCE, List.of(keys.changes()), id, Long.toString(ordinal),
                Integer.toString(max));
        if (((Number) result.get(0)).longValue() == 1) {
            return new Changes(List.of(), end(), true, false);
        }
        long added = ((Number) result.get(1)).longValue();
        String last = result.get(2).toString();
        List<MailboxChange> changes = new ArrayList<>();
        String lastRead = id;
        for (Object item : result.subList(3, result.size())) {
            List<?> entry = (List<?>) item;
            lastRead = entry.get(0).toString();
            List<?> fields = (List<?>) entry.get(1);
            String mailbox = null;
            String kind = null;
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                switch (fields.get(i).toString()) {
                    case "m" -> mailbox = fields.get(i + 1).toString();
                    case "k" -> kind = fields.get(i + 1).toString();
                    default -> { }
                }
            }
            if (mailbox != null && kind != null) {
                changes.add(new MailboxChange(UUID.fromString(mailbox),
                        MailboxChange.Kind.valueOf(kind.toUpperCase(Locale.ROOT)), at(lastRead)));
            }
        }
        int read = result.size() - 3;
        if (read < max) {
            return new Changes(changes, last + "/" + added, false, false);
        }
        return new Changes(changes, lastRead + "/" + (ordinal + read), false, true);
    }

    private static Instant at(String entryId) {
        return Instant.ofEpochMilli(Long.parseLong(entryId.substring(0, entryId.indexOf('-'))));
    }
}
