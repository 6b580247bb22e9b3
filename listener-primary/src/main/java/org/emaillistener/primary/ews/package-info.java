/**
 * The EWS route of the primary: watching Exchange mailboxes (one streaming subscription per mailbox
 * over all its watched folders, reopened at the end of each connection's lifetime, resubscribed when
 * the server forgot it, caught up after every break), short sessions that validate a mailbox and list
 * its folders, sending with {@code SendAndSaveCopy}, and what an Exchange mailbox's settings must
 * hold. It knows EWS, not Creatio.
 */
package org.emaillistener.primary.ews;
