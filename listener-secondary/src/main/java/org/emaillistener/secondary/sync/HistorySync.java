package org.emaillistener.secondary.sync;

import org.emaillistener.common.jobs.SyncJob;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.common.route.ForProtocol;

/**
 * Delivers the older mail a history import of a mailbox of one protocol asks for: the history role
 * of a route, one job at a time, with the mailbox locked. The first job of an import lists the
 * watched folders and splits into one job per folder; each folder's job delivers a batch and records
 * its progress, so that a restarted job goes on where the last one stopped. The live cursor is not
 * touched.
 */
public interface HistorySync extends ForProtocol {

    /** Does one job of a history import, whose filter is as the route's API reading left it. */
    void sync(RegisteredMailbox mailbox, SyncJob job) throws Exception;
}
