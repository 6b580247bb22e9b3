package org.emaillistener.common.registry;

import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** The served mailboxes, keyed by Creatio's mailbox id. */
public interface MailboxRegistry {

    void save(RegisteredMailbox mailbox);

    Optional<RegisteredMailbox> find(UUID id);

    /** @return whether the mailbox was registered */
    boolean remove(UUID id);

    Set<UUID> ids();
}
