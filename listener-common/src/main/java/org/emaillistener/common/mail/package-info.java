/**
 * What every connection to a mail server shares, whatever the protocol: reading Creatio's host,
 * port, {@code SecureOption} and login into one decision about TLS (from the first byte or after
 * STARTTLS), certificate checks and the login mechanism. IMAP and SMTP both connect through it.
 */
package org.emaillistener.common.mail;
