package org.emaillistener.common.redis;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.emaillistener.common.state.DeliveryProblem;
import org.emaillistener.common.state.SubscriptionState;
import org.emaillistener.common.state.SubscriptionStates;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Each mailbox's subscription state as JSON in {@code el:state:{id}}, and its delivery problem in
 * {@code el:delivery:{id}}, readable by operators.
 */
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
        redis.delete(List.of(keys.state(mailboxId), keys.deliveryProblem(mailboxId)));
    }

    @Override
    public void saveDeliveryProblem(UUID mailboxId, DeliveryProblem problem) {
        redis.opsForValue().set(keys.deliveryProblem(mailboxId), StoredJson.MAPPER.writeValueAsString(problem));
    }

    @Override
    public Optional<DeliveryProblem> findDeliveryProblem(UUID mailboxId) {
        return Optional.ofNullable(redis.opsForValue().get(keys.deliveryProblem(mailboxId)))
                .map(value -> StoredJson.MAPPER.readValue(value, DeliveryProblem.class));
    }

    @Override
    public void clearDeliveryProblem(UUID mailboxId) {
        redis.delete(keys.deliveryProblem(mailboxId));
    }
}
