/**
 * Redis adapters of the shared state (registry, cursors, subscription states, mailbox locks), chosen
 * by {@code listener.store=redis}. Every key is named in {@link org.emaillistener.common.redis.RedisKeys};
 * values are plain JSON, except mailbox credentials, which are sealed with the
 * {@code common.crypto} cipher.
 */
package org.emaillistener.common.redis;
