package org.emaillistener.common.memory;

import org.emaillistener.common.jobs.MailboxLocks;
import org.emaillistener.common.jobs.MailboxLocksContract;

class InMemoryMailboxLocksTest extends MailboxLocksContract {

    private final InMemoryMailboxLocks locks = new InMemoryMailboxLocks();

    @Override
    protected MailboxLocks locks() {
        return locks;
    }

    /** One process has one set of locks: the other syncer is another worker thread of it. */
    @Override
    protected MailboxLocks otherSyncer() {
        return locks;
    }
}
