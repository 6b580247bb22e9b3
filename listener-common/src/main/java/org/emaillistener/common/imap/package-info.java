/**
 * Reaching an IMAP mailbox: the Angus Mail session for a mailbox's settings (SSL, STARTTLS,
 * XOAUTH2, timeouts, verified certificates) and the classification of what went wrong. It knows
 * IMAP, not Creatio's delivery.
 */
package org.emaillistener.common.imap;
