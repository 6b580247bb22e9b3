/**
 * The served mailboxes: every mailbox Creatio registered and has not closed, with its credentials.
 * Adapters live in {@code common.memory} and, for the split deployment, {@code common.redis}.
 */
package org.emaillistener.common.registry;
