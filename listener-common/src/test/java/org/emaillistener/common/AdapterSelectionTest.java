package org.emaillistener.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.emaillistener.common.crypto.TestEncryptionKeys.NEW_KEY;

import java.util.UUID;

import org.emaillistener.common.crypto.MissingEncryptionKeyException;
import org.emaillistener.common.cursor.Cursors;
import org.emaillistener.common.jobs.MailboxLocks;
import org.emaillistener.common.jobs.SyncJobs;
import org.emaillistener.common.lease.Leases;
import org.emaillistener.common.memory.InMemoryCursors;
import org.emaillistener.common.memory.InMemoryLeases;
import org.emaillistener.common.memory.InMemoryMailboxLocks;
import org.emaillistener.common.memory.InMemoryMailboxRegistry;
import org.emaillistener.common.memory.InMemorySubscriptionStates;
import org.emaillistener.common.memory.InMemorySyncJobs;
import org.emaillistener.common.rabbitmq.RabbitSyncJobs;
import org.emaillistener.common.redis.RedisCursors;
import org.emaillistener.common.redis.RedisKeys;
import org.emaillistener.common.redis.RedisLeases;
import org.emaillistener.common.redis.RedisMailboxLocks;
import org.emaillistener.common.redis.RedisMailboxRegistry;
import org.emaillistener.common.redis.RedisSubscriptionStates;
import org.emaillistener.common.registry.MailboxRegistry;
import org.emaillistener.common.state.SubscriptionState;
import org.emaillistener.common.state.SubscriptionState.Status;
import org.emaillistener.common.state.SubscriptionStates;
import org.emaillistener.common.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

@ExtendWith(OutputCaptureExtension.class)
class AdapterSelectionTest {

    @Test
    void theInMemoryAdaptersNeedNeitherRedisNorRabbitMq() {
        try (ConfigurableApplicationContext context = AdaptersTestApplication.run("spring.data.redis.port=1",
                "spring.rabbitmq.port=1")) {

            assertThat(context.getBean(MailboxRegistry.class)).isInstanceOf(InMemoryMailboxRegistry.class);
            assertThat(context.getBean(Cursors.class)).isInstanceOf(InMemoryCursors.class);
            assertThat(context.getBean(SubscriptionStates.class)).isInstanceOf(InMemorySubscriptionStates.class);
            assertThat(context.getBean(MailboxLocks.class)).isInstanceOf(InMemoryMailboxLocks.class);
            assertThat(context.getBean(Leases.class)).isInstanceOf(InMemoryLeases.class);
            assertThat(context.getBean(SyncJobs.class)).isInstanceOf(InMemorySyncJobs.class);
            assertThat(context.getBeansOfType(RedisConnectionFactory.class)).isEmpty();
            assertThat(context.getBeansOfType(ConnectionFactory.class)).isEmpty();
        }
    }

    @Test
    void listenerStoreRedisSelectsTheRedisAdapters() {
        TestServers.Address redis = TestServers.redis();
        String prefix = "el-test-" + UUID.randomUUID() + ":";
        try (ConfigurableApplicationContext context = AdaptersTestApplication.run("listener.store=redis",
                "spring.data.redis.host=" + redis.host(), "spring.data.redis.port=" + redis.port(),
                "listener.redis.key-prefix=" + prefix, "listener.security.encryption-key=" + NEW_KEY)) {

            assertThat(context.getBean(MailboxRegistry.class)).isInstanceOf(RedisMailboxRegistry.class);
            assertThat(context.getBean(Cursors.class)).isInstanceOf(RedisCursors.class);
            assertThat(context.getBean(SubscriptionStates.class)).isInstanceOf(RedisSubscriptionStates.class);
            assertThat(context.getBean(MailboxLocks.class)).isInstanceOf(RedisMailboxLocks.class);
            assertThat(context.getBean(Leases.class)).isInstanceOf(RedisLeases.class);
            assertThat(context.getBean(SyncJobs.class)).isInstanceOf(InMemorySyncJobs.class);
            UUID mailbox = UUID.randomUUID();
            context.getBean(SubscriptionStates.class).save(mailbox, SubscriptionState.of(Status.LISTENING));
            StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
            String stateKey = context.getBean(RedisKeys.class).state(mailbox);
            assertThat(stateKey).isEqualTo(prefix + "state:" + mailbox);
            assertThat(template.hasKey(stateKey)).isTrue();
            template.delete(stateKey);
        }
    }

    @Test
    void aRedisStoreWithoutAnEncryptionKeyRefusesToStartSayingWhatToSet(CapturedOutput output) {
        assertThatThrownBy(() -> AdaptersTestApplication.run("listener.store=redis").close())
                .hasRootCauseInstanceOf(MissingEncryptionKeyException.class);

        assertThat(output.getOut() + output.getErr()).contains("APPLICATION FAILED TO START",
                "listener.security.encryption-key is not set", "LISTENER_SECURITY_ENCRYPTION_KEY");
    }

    @Test
    void aRedisStoreStartsWithPlaintextCredentialsOnlyWhenAllowedAndWarnsLoudly(CapturedOutput output) {
        try (ConfigurableApplicationContext context = AdaptersTestApplication.run("listener.store=redis",
                "listener.security.allow-plaintext-credentials=true")) {

            assertThat(context.getBean(MailboxRegistry.class)).isInstanceOf(RedisMailboxRegistry.class);
            assertThat(output.getOut()).contains("WARN", "IN PLAINTEXT");
        }
    }

    @Test
    void listenerQueueRabbitmqSelectsTheRabbitMqQueueWithConfirmsAndReturnsWhateverSpringSays() {
        TestServers.Address rabbitMq = TestServers.rabbitMq().address();
        try (ConfigurableApplicationContext context = AdaptersTestApplication.run("listener.queue=rabbitmq",
                "spring.rabbitmq.host=" + rabbitMq.host(), "spring.rabbitmq.port=" + rabbitMq.port(),
                "spring.rabbitmq.publisher-confirm-type=none", "spring.rabbitmq.publisher-returns=false")) {

            assertThat(context.getBean(SyncJobs.class)).isInstanceOf(RabbitSyncJobs.class);
            assertThat(context.getBean(MailboxRegistry.class)).isInstanceOf(InMemoryMailboxRegistry.class);
            CachingConnectionFactory connectionFactory = context.getBean(CachingConnectionFactory.class);
            assertThat(connectionFactory.isPublisherConfirms()).isTrue();
            assertThat(connectionFactory.isPublisherReturns()).isTrue();
            assertThat(context.getBeansOfType(RedisConnectionFactory.class)).isEmpty();
        }
    }

    @Test
    void creatiosDeploymentVariablesPointAtRedis() {
        TestServers.Address redis = TestServers.redis();
        try (ConfigurableApplicationContext context = AdaptersTestApplication.run("listener.store=redis",
                "ExchangeListenerRedisHost=" + redis.host() + ":" + redis.port(), "ExchangeListenerRedisDatabase=2",
                "listener.security.encryption-key=" + NEW_KEY)) {

            LettuceConnectionFactory connectionFactory = context.getBean(LettuceConnectionFactory.class);
            assertThat(connectionFactory.getHostName()).isEqualTo(redis.host());
            assertThat(connectionFactory.getPort()).isEqualTo(redis.port());
            assertThat(connectionFactory.getDatabase()).isEqualTo(2);
            assertThat(context.getBean(MailboxRegistry.class).find(UUID.randomUUID())).isEmpty();
        }
    }
}
