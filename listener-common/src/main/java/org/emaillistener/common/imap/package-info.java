/**
 * Reaching an IMAP mailbox: the Angus Mail session for a mailbox's settings (SSL, STARTTLS and
 * XOAUTH2 as {@code common.mail} decides them, timeouts), the logged-in connections sync jobs keep
 * between them ({@link org.emaillistener.common.imap.ImapConnections}), the folders watched, and where
 * new mail starts. It knows IMAP, not Creatio's delivery.
 */
package org.emaillistener.common.imap;
