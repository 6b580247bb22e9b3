package org.emaillistener.common.redis;

import org.emaillistener.common.changes.MailboxChanges;
import org.emaillistener.common.crypto.CredentialsCipher;
import org.emaillistener.common.crypto.EncryptionProperties;
import org.emaillistener.common.cursor.Cursors;
import org.emaillistener.common.cursor.DeliveredMessages;
import org.emaillistener.common.cursor.DeliveredWindow;
import org.emaillistener.common.history.HistoryImports;
import org.emaillistener.common.parking.ParkedMessages;
import org.emaillistener.common.jobs.MailboxLocks;
import org.emaillistener.common.lease.Leases;
import org.emaillistener.common.registry.MailboxRegistry;
import org.emaillistener.common.registry.OneOffMailboxes;
import org.emaillistener.common.state.SubscriptionStates;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Wires the Redis adapters of the shared state when {@code listener.store=redis}, on the connection Spring Boot configures
 * from {@code spring.data.redis.*}. Refuses to start without an encryption key for the credentials
 * (see {@link CredentialsCipher#forSharedStore}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "listener.store", havingValue = "redis")
@EnableConfigurationProperties({ RedisStoreProperties.class, EncryptionProperties.class })
public class RedisAdapters {

    @Bean
    RedisKeys redisKeys(RedisStoreProperties properties) {
        return new RedisKeys(properties.keyPrefix());
    }

    @Bean
    StoredMailboxFormat storedMailboxFormat(EncryptionProperties encryption) {
        return new StoredMailboxFormat(CredentialsCipher.forSharedStore(encryption, "redis"),
                encryption.allowPlaintextCredentials());
    }

    @Bean
    MailboxRegistry mailboxRegistry(StringRedisTemplate redis, RedisKeys keys, StoredMailboxFormat format) {
        return new RedisMailboxRegistry(redis, keys, format);
    }

    @Bean
    OneOffMailboxes oneOffMailboxes(StringRedisTemplate redis, RedisKeys keys, StoredMailboxFormat format) {
        return new RedisOneOffMailboxes(redis, keys, format);
    }

    @Bean
    Cursors cursors(StringRedisTemplate redis, RedisKeys keys) {
        return new RedisCursors(redis, keys);
    }

    @Bean
    SubscriptionStates subscriptionStates(StringRedisTemplate redis, RedisKeys keys) {
        return new RedisSubscriptionStates(redis, keys);
    }

    @Bean
    MailboxLocks mailboxLocks(StringRedisTemplate redis, RedisKeys keys) {
        return new RedisMailboxLocks(redis, keys);
    }

    @Bean
    Leases leases(StringRedisTemplate redis, RedisKeys keys) {
        return new RedisLeases(redis, keys);
    }

    @Bean
    HistoryImports historyImports(StringRedisTemplate redis, RedisKeys keys) {
        return new RedisHistoryImports(redis, keys);
    }

    @Bean
    DeliveredMessages deliveredMessages(StringRedisTemplate redis, RedisKeys keys, DeliveredWindow window) {
        return new RedisDeliveredMessages(redis, keys, window.window());
    }

    @Bean
    MailboxChanges mailboxChanges(StringRedisTemplate redis, RedisKeys keys) {
        return new RedisMailboxChanges(redis, keys);
    }

    @Bean
    ParkedMessages parkedMessages(StringRedisTemplate redis, RedisKeys keys) {
        return new RedisParkedMessages(redis, keys);
    }
}
