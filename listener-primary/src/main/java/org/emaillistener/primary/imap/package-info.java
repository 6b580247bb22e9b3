/**
 * IMAP subscriptions: one virtual thread per mailbox, blocking in IDLE on the main folder, with the
 * other watched folders checked by STATUS. The connection and its reconnects live here; what the
 * events mean is the subscription's business.
 */
package org.emaillistener.primary.imap;
