package org.emaillistener.common.changes;

import java.time.Duration;
import java.util.List;

/**
 * The log of mailbox changes. It is kept for {@link #RETENTION} only: a reader that comes back later
 * than that is told it missed some ({@link Changes#gap()}) and reads everything again.
 */
public interface MailboxChanges {

    /** How long a change stays readable. */
    Duration RETENTION = Duration.ofMinutes(5);

    /** A position at the log's end: the changes recorded from now on come after it. */
    String end();

    /**
     * Up to {@code max} changes recorded after {@code position}, oldest first, with the position after
     * the last of them; {@link Changes#more()} when more are waiting.
     */
    Changes since(String position, int max);

    /**
     * @param changes the changes, oldest first
     * @param position where the next read starts
     * @param gap changes after the position asked for were already dropped: read everything again
     * @param more more changes are waiting after {@code position}
     */
    record Changes(List<MailboxChange> changes, String position, boolean gap, boolean more) {

        public Changes {
            changes = List.copyOf(changes);
        }
    }
}
