/**
 * History imports: older mail Creatio asks for with {@code /api/email/synchronize}, delivered in
 * batches through the sync-job queue with a progress record of its own, apart from the live cursor.
 */
package org.emaillistener.common.history;
