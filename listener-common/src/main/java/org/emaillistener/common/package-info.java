/**
 * What primary and secondary share: Creatio's wire records and client, the ports through which they
 * share state (registry, sync jobs, cursors, subscription states, locks) with their adapters, and
 * IMAP connections.
 */
package org.emaillistener.common;
