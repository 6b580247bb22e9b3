/**
 * The IMAP route of the primary: subscriptions (one virtual thread per mailbox, blocking in IDLE on
 * the main folder, the other watched folders checked by STATUS), the short sessions that validate a
 * mailbox and list its folders, and what an IMAP mailbox's settings must hold. The connection and its
 * reconnects live here; what the events mean is the subscription's business. Sending is
 * {@code primary.smtp}'s.
 */
package org.emaillistener.primary.imap;
