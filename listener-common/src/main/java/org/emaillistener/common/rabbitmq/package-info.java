/**
 * The RabbitMQ adapter of the sync-job queue, chosen by {@code listener.queue=rabbitmq}: a durable
 * direct exchange, a quorum queue with a delivery limit and at-least-once dead-lettering (classic
 * queues on request), publisher confirms, manual acks and redelivery after a back-off.
 */
package org.emaillistener.common.rabbitmq;
