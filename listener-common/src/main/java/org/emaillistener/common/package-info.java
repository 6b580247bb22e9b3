/**
 * What primary and secondary share: Creatio's wire records and client, the ports through which they
 * share state (registry, sync jobs, cursors, subscription states, locks, leases) with their adapters
 * (in memory, Redis, RabbitMQ) chosen by {@code listener.store} and {@code listener.queue}, the
 * encryption of credentials at rest, and IMAP connections.
 */
package org.emaillistener.common;
