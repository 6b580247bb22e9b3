/**
 * Sending email for Creatio ({@code /apiv2/email/send}): Creatio's {@code Email} becomes a MIME
 * message, goes out over the mailbox's SMTP server, and a copy is kept in the mailbox's Sent folder
 * over IMAP when the server does not keep one itself.
 */
package org.emaillistener.primary.send;
