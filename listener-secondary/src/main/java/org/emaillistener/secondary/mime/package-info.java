/**
 * Turns one raw RFC 822 message, as fetched from the mailbox, into Creatio's {@code Email}: body,
 * recipients, headers, importance and attachments. It is lenient by design: any input, however
 * broken, still gives an Email, because a message Creatio never receives is lost to the user.
 */
package org.emaillistener.secondary.mime;
