package org.emaillistener.common.rabbitmq;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

/**
 * The sync-job queue in RabbitMQ. The broker connection is Spring's {@code spring.rabbitmq.*}; how
 * jobs are retried is {@code listener.jobs.*}.
 *
 * @param exchange the durable direct exchange jobs are published to
 * @param queue the queue of sync jobs, bound to the exchange with its own name as routing key
 * @param deadLetterQueue where jobs go after the delivery limit, bound likewise
 * @param quorum quorum queues (replicated, with a broker-side delivery limit); false for classic
 *        queues, for brokers that cannot run quorum queues
 * @param prefetch unacknowledged jobs each consumer holds; jobs are long (IMAP and Creatio round
 *        trips), so a small number spreads them fairly over the replicas
 * @param confirmTimeout how long {@code publish} waits for the broker's confirm
 * @param deadLetterTtl how long a dead-lettered job is kept for an operator to replay
 *        ({@code x-message-ttl} of the dead-letter queue)
 * @param deadLetterMaxLength the most dead-lettered jobs kept; beyond, the oldest go
 *        ({@code x-max-length}, dropping from the head)
 */
@Validated
@ConfigurationProperties("listener.rabbitmq")
public record SyncQueueProperties(
        @DefaultValue("email-listener") @NotBlank String exchange,
        @DefaultValue("email-listener.sync") @NotBlank String queue,
        @DefaultValue("email-listener.sync.dead") @NotBlank String deadLetterQueue,
        @DefaultValue("true") boolean quorum,
        @DefaultValue("1") @Min(1) int prefetch,
        @DefaultValue("10s") Duration confirmTimeout,
        @DefaultValue("14d") Duration deadLetterTtl,
        @DefaultValue("100000") @Min(1) int deadLetterMaxLength) {
}
