package org.emaillistener.common.parking;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The parked messages of each mailbox. */
public interface ParkedMessages {

    void park(ParkedMessage message);

    /** The mailbox's parked messages, oldest first. */
    List<ParkedMessage> of(UUID mailboxId);

    Optional<ParkedMessage> find(UUID mailboxId, String folder, long uid);

    void remove(UUID mailboxId, String folder, long uid);

    void removeAll(UUID mailboxId);

    /** How many messages each of these mailboxes has parked; a mailbox with none is absent. */
    Map<UUID, Integer> counts(Collection<UUID> mailboxIds);
}
