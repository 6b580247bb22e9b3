package org.emaillistener.bench;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import org.emaillistener.common.creatio.CreatioJson;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.cursor.Cursors;
import org.emaillistener.common.cursor.SyncCursor;
import org.emaillistener.common.lease.Leases;
import org.emaillistener.common.registry.MailboxRegistry;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.common.state.SubscriptionState;
import org.emaillistener.common.state.SubscriptionStates;
import org.emaillistener.common.testing.CreatioRequests;
import org.emaillistener.common.testing.RedisStoreContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Redis memory per served mailbox: registers N mailboxes through the service's own Redis adapters
 * (registry with sealed credentials, an INBOX cursor, a subscription state, a lease), then sums
 * {@code MEMORY USAGE} of every key and reads the {@code INFO memory} delta.
 *
 * <p>Arguments: {@code --mailboxes=N} (default 1000), {@code --redis-host}, {@code --redis-port}.
 */
public final class RedisFootprint {

    private RedisFootprint() {
    }

    public static void main(String[] args) {
        var options = Benchmark.options(args);
        int mailboxes = Integer.parseInt(options.getOrDefault("mailboxes", "1000"));
        String prefix = "el-footprint-" + UUID.randomUUID().toString().substring(0, 8) + ":";
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        try (ConfigurableApplicationContext context = RedisStoreContext.start(prefix,
                Base64.getEncoder().encodeToString(key), options.getOrDefault("redis-host", "127.0.0.1"),
                Integer.parseInt(options.getOrDefault("redis-port", "6379")))) {
            StringRedisTemplate redis = context.getBean(StringRedisTemplate.class);
            long before = usedMemory(redis);
            register(context, mailboxes);
            long after = usedMemory(redis);
            long keyBytes = keyBytes(redis, prefix);
            System.out.printf("%nRedis memory per served mailbox (%d mailboxes, real adapters)%n", mailboxes);
            System.out.printf("%-40s %10s%n", "figure", "bytes");
            System.out.printf("%-40s %10d%n", "MEMORY USAGE of its keys, per mailbox", keyBytes / mailboxes);
            System.out.printf("%-40s %10d%n", "INFO used_memory delta, per mailbox", (after - before) / mailboxes);
            var keys = redis.keys(prefix + "*");
            if (keys != null && !keys.isEmpty()) {
                redis.delete(keys);
            }
        }
    }

    private static void register(ConfigurableApplicationContext context, int count) {
        MailboxRegistry registry = context.getBean(MailboxRegistry.class);
        Cursors cursors = context.getBean(Cursors.class);
        SubscriptionStates states = context.getBean(SubscriptionStates.class);
        Leases leases = context.getBean(Leases.class);
        for (int i = 0; i < count; i++) {
            UUID id = UUID.randomUUID();
            String user = "user" + i + "@example.com";
            SynchronizationCredentials credentials = CreatioJson.mapper().readValue(CreatioRequests.imapMailbox(id,
                    "imap.example.com", 993, user, "app-password-" + i,
                    "https://crm.example.com/0/ServiceModel/ExchangeListenerService.svc/ProcessFullEmail", List.of()),
                    SynchronizationCredentials.class);
            registry.save(new RegisteredMailbox(credentials, Instant.now()));
            cursors.save(id, "INBOX", new SyncCursor(1_700_000_000L, 4242, Instant.now()));
            states.save(id, SubscriptionState.of(SubscriptionState.Status.LISTENING));
            leases.tryAcquire(id, "listener-primary-0", Duration.ofHours(1));
        }
    }

    private static long keyBytes(StringRedisTemplate redis, String prefix) {
        RedisScript<Long> usage = RedisScript.of("return redis.call('MEMORY', 'USAGE', KEYS[1])", Long.class);
        long bytes = 0;
        for (String key : redis.keys(prefix + "*")) {
            Long keyUsage = redis.execute(usage, List.of(key));
            bytes += keyUsage == null ? 0 : keyUsage;
        }
        return bytes;
    }

    private static long usedMemory(StringRedisTemplate redis) {
        Properties info = redis.getRequiredConnectionFactory().getConnection().serverCommands().info("memory");
        return Long.parseLong(info.getProperty("used_memory"));
    }
}
