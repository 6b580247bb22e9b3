/**
 * What each subscription is doing (connecting, listening, reconnecting, failed) and why, so that
 * {@code subscriptionsstate} and operators can tell without reading logs; why a mailbox could not be
 * reached ({@link org.emaillistener.common.state.MailboxFailure}), whatever its protocol.
 */
package org.emaillistener.common.state;
