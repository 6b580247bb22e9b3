/**
 * What changed about which mailbox, as a short-lived log the stores append to: the operator console
 * keeps its view of every mailbox current by reading what changed since it last looked, instead of
 * reading every mailbox again.
 */
package org.emaillistener.common.changes;
