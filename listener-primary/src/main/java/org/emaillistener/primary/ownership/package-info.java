/**
 * Which mailboxes this primary replica serves: it claims unowned mailboxes through leases up to its
 * fair share and capacity, renews what it holds, drops what it lost (fencing), hands surplus to new
 * replicas a few at a time, and releases everything on shutdown.
 */
package org.emaillistener.primary.ownership;
