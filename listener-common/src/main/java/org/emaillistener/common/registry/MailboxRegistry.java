package org.emaillistener.common.registry;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** The served mailboxes, keyed by Creatio's mailbox id. */
public interface MailboxRegistry {

    void save(RegisteredMailbox mailbox);

    Optional<RegisteredMailbox> find(UUID id);

    /**
     * The registered ones of these mailboxes, read in as few round trips as the store allows: what a
     * replica's ownership round reads of the thousands of mailboxes it holds.
     */
    Map<UUID, RegisteredMailbox> findAll(Collection<UUID> ids);

    /** @return whether the mailbox was registered */
    boolean remove(UUID id);

    Set<UUID> ids();
}
