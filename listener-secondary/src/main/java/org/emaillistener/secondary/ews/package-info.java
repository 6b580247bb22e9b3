/**
 * The EWS route of the secondary: new mail delivered page by page of {@code SyncFolderItems}
 * changes, history imports found by {@code FindItem}, both by the rules of the paged sync.
 */
package org.emaillistener.secondary.ews;
