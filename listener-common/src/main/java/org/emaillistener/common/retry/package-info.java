/**
 * How the listener waits before it tries again, whatever failed (a Creatio callback, a mailbox
 * connection, a sync job, a cursor's save): capped, jittered exponential back-off, so that many
 * mailboxes failing together do not retry together.
 */
package org.emaillistener.common.retry;
