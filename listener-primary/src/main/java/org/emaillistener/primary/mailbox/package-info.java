/**
 * Creatio's questions about a mailbox before (or besides) subscribing it: can the listener log in
 * ({@code validate}), and which folders does it have ({@code folders}). Each is one short IMAP
 * session, bounded by a deadline however the server behaves. It knows IMAP, not HTTP.
 */
package org.emaillistener.primary.mailbox;
