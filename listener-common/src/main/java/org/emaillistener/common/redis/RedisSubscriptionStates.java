package org.emaillistener.common.redis;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

import org.emaillistener.common.state.DeliveryProblem;
import org.emaillistener.common.state.SubscriptionState;
import org.emaillistener.common.state.SubscriptionStates;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Each mailbox's subscription state as JSON in {@code el:state:{id}}, and its delivery problem in
 * {@code el:delivery:{id}}, readable by operators.
 */
public class RedisSubscriptionStates implements SubscriptionStates {

    /** KEYS: the key, the change log; ARGV: the value, the mailbox id. */
    private static final RedisScript<Long> SET = RedisScript.of(RedisMailboxChanges.ANNOUNCE + """
            redis.call('SET', KEYS[1], ARGV[1])
            announce(KEYS[#KEYS], ARGV[2], 'state')
            return 1
            """, Long.class);

    /** KEYS: the keys to delete, the change log last; ARGV: the mailbox id. Announces only a deletion. */
    private static final RedisScript<Long> DELETE = RedisScript.of(RedisMailboxChanges.ANNOUNCE + """
            local deleted = 0
            for i = 1, #KEYS - 1 do
              deleted = deleted + redis.call('DEL', KEYS[i])
            end
            if deleted > 0 then
              announce(KEYS[#KEYS], ARGV[1], 'state')
            end
            return deleted
            """, Long.class);

    private final StringRedisTemplate redis;
    private final RedisKeys keys;

    RedisSubscriptionStates(StringRedisTemplate redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    @Override
    public void save(UUID mailboxId, SubscriptionState state) {
        redis.execute(SET, List.of(keys.state(mailboxId), keys.changes()), StoredJson.MAPPER.writeValueAsString(state),
                mailboxId.toString());
    }

    @Override
    public Optional<SubscriptionState> find(UUID mailboxId) {
        return Optional.ofNullable(redis.opsForValue().get(keys.state(mailboxId)))
                .map(value -> StoredJson.MAPPER.readValue(value, SubscriptionState.class));
    }

    @Override
    public void remove(UUID mailboxId) {
        redis.execute(DELETE, List.of(keys.state(mailboxId), keys.deliveryProblem(mailboxId), keys.changes()),
                mailboxId.toString());
    }

    @Override
    public void saveDeliveryProblem(UUID mailboxId, DeliveryProblem problem) {
        redis.execute(SET, List.of(keys.deliveryProblem(mailboxId), keys.changes()),
                StoredJson.MAPPER.writeValueAsString(problem), mailboxId.toString());
    }

    @Override
    public Optional<DeliveryProblem> findDeliveryProblem(UUID mailboxId) {
        return Optional.ofNullable(redis.opsForValue().get(keys.deliveryProblem(mailboxId)))
                .map(value -> StoredJson.MAPPER.readValue(value, DeliveryProblem.class));
    }

    @Override
    public void clearDeliveryProblem(UUID mailboxId) {
        redis.execute(DELETE, List.of(keys.deliveryProblem(mailboxId), keys.changes()), mailboxId.toString());
    }

    @Override
    public Map<UUID, SubscriptionState> findAll(Collection<UUID> mailboxIds) {
        return read(mailboxIds, keys::state, SubscriptionState.class);
    }

    @Override
    public Map<UUID, DeliveryProblem> findDeliveryProblems(Collection<UUID> mailboxIds) {
        return read(mailboxIds, keys::deliveryProblem, DeliveryProblem.class);
    }

    /** MGET in batches of {@value Batches#SIZE} keys: one round trip per batch. */
    private <T> Map<UUID, T> read(Collection<UUID> mailboxIds, Function<UUID, String> key, Class<T> type) {
        Map<UUID, T> found = new HashMap<>();
        for (List<UUID> batch : Batches.of(mailboxIds)) {
            List<String> values = redis.opsForValue().multiGet(batch.stream().map(key).toList());
            for (int i = 0; values != null && i < batch.size(); i++) {
                if (values.get(i) != null) {
                    found.put(batch.get(i), StoredJson.MAPPER.readValue(values.get(i), type));
                }
            }
        }
        return found;
    }
}
