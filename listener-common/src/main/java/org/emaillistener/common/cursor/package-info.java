/**
 * Where each mailbox folder's delivery stands: the IMAP UIDVALIDITY and the last UID Creatio
 * accepted. Mail above the cursor is new; the cursor moves only after Creatio's 2xx.
 */
package org.emaillistener.common.cursor;
