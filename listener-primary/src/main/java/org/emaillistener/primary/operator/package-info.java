/**
 * The operators' view of the served mailboxes, apart from Creatio's API: each mailbox's
 * subscription state and history imports, without reading logs. Enabled by setting an API key.
 */
package org.emaillistener.primary.operator;
