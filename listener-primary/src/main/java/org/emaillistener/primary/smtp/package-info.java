/**
 * Sending from IMAP mailboxes: over the SMTP server Creatio names in the send request, with a copy
 * appended to the mailbox's Sent folder over IMAP when the server does not keep one itself
 * ({@code listener.send}).
 */
package org.emaillistener.primary.smtp;
