package org.emaillistener.common.redis;

import java.util.Optional;
import java.util.UUID;

import org.emaillistener.common.state.SubscriptionState;
import org.emaillistener.common.state.SubscriptionStates;
import org.springframework.data.redis.core.StringRedisTemplate;

/** Each mailbox's subscription state as JSON in {@code el:state:{id}}, readable by operators. */
public class RedisSubscriptionStates implements SubscriptionStates {

    private final StringRedisTemplate redis;
    private final RedisKeys keys;

    RedisSubscriptionStates(StringRedisTemplate redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    @Override
    public void save(UUID mailboxId, SubscriptionState state) {
        redis.opsForValue().set(keys.state(mailboxId), StoredJson.MAPPER.writeValueAsString(state));
    }

    @Override
    public Optional<SubscriptionState> find(UUID mailboxId) {
        return Optional.ofNullable(redis.opsForValue().get(keys.state(mailboxId)))
                .map(value -> StoredJson.MAPPER.readValue(value, SubscriptionState.class));
    }

    @Override
    public void remove(UUID mailboxId) {
        redis.delete(keys.state(mailboxId));
    }
}
