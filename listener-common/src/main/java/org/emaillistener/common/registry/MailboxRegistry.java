package org.emaillistener.common.registry;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** The served mailboxes, keyed by Creatio's mailbox id. */
public interface MailboxRegistry {

    void save(RegisteredMailbox mailbox);

    /**
     * Saves the mailbox unless it is new to its Creatio host ({@link RegisteredMailbox#creatioHost()})
     * and that host already has {@code perCreatioHost} mailboxes; 0: no limit. The count and the save
     * are one step, so concurrent registrations do not pass the limit together.
     *
     * @return whether it was saved
     */
    boolean saveWithin(RegisteredMailbox mailbox, int perCreatioHost);

    /** How many registered mailboxes deliver to this Creatio host. */
    long countFor(String creatioHost);

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
