package org.emaillistener.common.jobs;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/** Short exclusive locks, so that one mailbox is synced by one syncer at a time. */
public interface MailboxLocks {

    /** @return the lock, or empty if someone else holds it */
    Optional<Lock> tryLock(UUID mailboxId, Duration ttl);

    interface Lock extends AutoCloseable {

        /** Keeps the lock for {@code ttl} from now, while it is still this holder's. */
        boolean extend(Duration ttl);

        @Override
        void close();
    }
}
