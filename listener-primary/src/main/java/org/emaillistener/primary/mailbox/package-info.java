/**
 * Creatio's questions about a mailbox before (or besides) subscribing it: are the settings it sent
 * usable ({@link org.emaillistener.primary.mailbox.MailboxSettings}), can the listener log in
 * ({@code validate}) and which folders does it have ({@code folders};
 * {@link org.emaillistener.primary.mailbox.MailboxSessions}). Each protocol answers them in its own
 * package; {@link org.emaillistener.primary.mailbox.MailboxProbe} bounds every session by a deadline
 * however the server behaves. It knows no protocol, and not HTTP.
 */
package org.emaillistener.primary.mailbox;
