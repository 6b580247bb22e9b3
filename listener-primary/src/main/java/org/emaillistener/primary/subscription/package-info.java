/**
 * The subscriptions this replica holds: one {@link org.emaillistener.primary.subscription.MailboxWatcher}
 * per served mailbox, what its events mean for Creatio (sync jobs, ProcessMailboxState,
 * RefreshToken) and what {@code subscriptionsstate} answers.
 */
package org.emaillistener.primary.subscription;
