/**
 * Which primary replica holds which mailbox's subscription: a lease per mailbox with a TTL, renewed
 * by its holder, and a heartbeat per replica so that replicas can share the mailboxes fairly.
 */
package org.emaillistener.common.ownership;
