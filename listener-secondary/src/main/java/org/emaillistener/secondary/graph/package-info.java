/**
 * The Microsoft Graph route of the secondary: new mail delivered page by page of each folder's
 * message delta, history imports found by {@code receivedDateTime}, both by the rules of the paged sync.
 */
package org.emaillistener.secondary.graph;
