/**
 * Watching Exchange mailboxes: one EWS streaming subscription per mailbox over all its watched
 * folders, reopened at the end of each connection's lifetime, resubscribed when the server forgot
 * it, and caught up after every break. It knows EWS, not Creatio.
 */
package org.emaillistener.primary.ews;
