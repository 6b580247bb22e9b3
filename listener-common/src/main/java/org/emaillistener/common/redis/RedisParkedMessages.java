package org.emaillistener.common.redis;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.emaillistener.common.parking.ParkedMessage;
import org.emaillistener.common.parking.ParkedMessages;
import org.springframework.data.redis.core.StringRedisTemplate;

/** A mailbox's parked messages as JSON in the hash {@code el:parked:{id}}, one field per folder and UID. */
class RedisParkedMessages implements ParkedMessages {

    private final StringRedisTemplate redis;
    private final RedisKeys keys;

    RedisParkedMessages(StringRedisTemplate redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    @Override
    public void park(ParkedMessage message) {
        redis.opsForHash().put(keys.parked(message.mailboxId()), field(message.folder(), message.uid()),
                StoredJson.MAPPER.writeValueAsString(message));
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
        redis.opsForHash().delete(keys.parked(mailboxId), field(folder, uid));
    }

    @Override
    public void removeAll(UUID mailboxId) {
        redis.delete(keys.parked(mailboxId));
    }

    /** Folder names may hold any character but NUL. */
    private static String field(String folder, long uid) {
        return folder + "\u0000" + uid;
    }
}
