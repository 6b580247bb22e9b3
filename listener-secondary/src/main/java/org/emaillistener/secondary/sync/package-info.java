/**
 * Delivery: one sync job at a time per mailbox (a short lock), messages in UID order above the
 * cursor, one {@code ProcessFullEmail} per message, the cursor advanced after each 2xx.
 */
package org.emaillistener.secondary.sync;
