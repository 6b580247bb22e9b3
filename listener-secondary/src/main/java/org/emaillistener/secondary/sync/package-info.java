/**
 * Delivery: one sync job at a time per mailbox (a short lock), done by the mailbox's route's
 * {@link org.emaillistener.secondary.sync.FolderSync} or {@link org.emaillistener.secondary.sync.HistorySync},
 * which each protocol implements in its own package; one {@code ProcessFullEmail} per message
 * ({@link org.emaillistener.secondary.sync.MessageDelivery}), the cursor advanced after each 2xx.
 * {@link org.emaillistener.secondary.sync.PagedFolderSync} holds the rules of servers that page their changes.
 */
package org.emaillistener.secondary.sync;
