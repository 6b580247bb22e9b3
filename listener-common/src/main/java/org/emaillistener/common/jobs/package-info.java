/**
 * The sync-job contract between primary and secondary: a small message saying "this mailbox folder
 * may have new mail". Emails never travel through the queue; the cursor decides what is new.
 */
package org.emaillistener.common.jobs;
