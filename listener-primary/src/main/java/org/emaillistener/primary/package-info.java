/**
 * The primary role: Creatio's REST API, and the live subscription of every mailbox this replica
 * serves, which publishes a sync job whenever a mailbox may have new mail.
 */
package org.emaillistener.primary;
