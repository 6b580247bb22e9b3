package org.emaillistener.common.redis;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * Mailboxes in batches of {@value #SIZE}: one script or MGET a batch, so that a read of many mailboxes
 * costs a round trip per batch, not per mailbox, and no one call keeps Redis busy for long.
 */
final class Batches {

    static final int SIZE = 500;

    private Batches() {
    }

    static List<List<UUID>> of(Collection<UUID> mailboxIds) {
        List<UUID> all = List.copyOf(mailboxIds);
        List<List<UUID>> batches = new ArrayList<>();
        for (int from = 0; from < all.size(); from += SIZE) {
            batches.add(all.subList(from, Math.min(all.size(), from + SIZE)));
        }
        return batches;
    }
}
