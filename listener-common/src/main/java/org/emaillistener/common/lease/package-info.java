/**
 * Who holds which mailbox's subscription: a lease per mailbox with a TTL, taken and renewed by one
 * primary replica, and a heartbeat per replica. A replica that cannot renew a lease has lost it and
 * must drop the subscription.
 */
package org.emaillistener.common.lease;
