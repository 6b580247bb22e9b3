/**
 * The Microsoft Graph route of the primary. It watches Exchange Online mailboxes: with
 * {@code listener.graph.notification-url} (a public HTTPS address Graph can reach) through change
 * notifications, each folder's subscription renewed before Graph ends it and every notification
 * checked by its {@code clientState}; without one by polling each watched folder's delta, cheap when
 * nothing changed and needing no public address, so it works behind a firewall. Either way a safety
 * poll catches what a notification missed. It validates, lists the folders of and sends from these
 * mailboxes only for their signed-in user.
 */
package org.emaillistener.primary.graph;
