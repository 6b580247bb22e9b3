package org.emaillistener.common.registry;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * Mailboxes Creatio asked to import older mail from without registering them
 * ({@code /api/email/synchronize} before, or without, {@code create}): the request's credentials,
 * held only while the import runs and never longer than the time given. Nothing here is watched or
 * owned by a replica; only the import's jobs read it.
 */
public interface OneOffMailboxes {

    /**
     * How long a one-off mailbox is held after its import's last job: each job of the import holds it
     * this long again, so a running import keeps its credentials and one that stopped loses them.
     */
    Duration HOLD = Duration.ofHours(24);

    /** Holds the mailbox for its import, replacing what was held for it; gone after {@code ttl}. */
    void hold(RegisteredMailbox mailbox, Duration ttl);

    Optional<RegisteredMailbox> find(UUID mailboxId);

    /** Lets the mailbox's credentials go: its import is over (or the mailbox closed). */
    void release(UUID mailboxId);
}
