/**
 * Watches Exchange Online mailboxes through Microsoft Graph by polling each watched folder's delta:
 * cheap when nothing changed, and it needs no public address, so it works behind a firewall.
 */
package org.emaillistener.primary.graph;
