/**
 * The IMAP route of the secondary: new mail delivered UID by UID above each folder's cursor, and
 * history imports run as Creatio's SEARCH expression, over the connections sync jobs keep between them.
 */
package org.emaillistener.secondary.imap;
