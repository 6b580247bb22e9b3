/**
 * In-memory adapters of every port: what {@code listener-standalone} runs on, with no Redis and no
 * RabbitMQ. Chosen by {@code listener.store=memory} and {@code listener.queue=memory} (the defaults).
 */
package org.emaillistener.common.memory;
