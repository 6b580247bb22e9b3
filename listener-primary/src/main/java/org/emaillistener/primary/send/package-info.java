/**
 * Sending email for Creatio ({@code /apiv2/email/send}): Creatio's {@code Email} becomes a MIME
 * message ({@link org.emaillistener.primary.send.MimeComposer}), which the mailbox's route sends
 * through its {@link org.emaillistener.primary.send.MailSender}: SMTP, EWS or Microsoft Graph.
 */
package org.emaillistener.primary.send;
