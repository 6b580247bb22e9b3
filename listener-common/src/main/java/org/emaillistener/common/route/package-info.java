/**
 * How each mailbox is reached: its {@link org.emaillistener.common.route.MailRoute} (IMAP, EWS or
 * Microsoft Graph, and why), decided once by {@link org.emaillistener.common.route.MailRoutes} from the
 * registered settings and the configuration. Every role a protocol plays (watching, probing, sending,
 * syncing) is one implementation per protocol, looked up by the route ({@link org.emaillistener.common.route.PerProtocol}).
 */
package org.emaillistener.common.route;
