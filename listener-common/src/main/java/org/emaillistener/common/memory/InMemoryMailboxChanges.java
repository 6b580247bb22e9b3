package org.emaillistener.common.memory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.emaillistener.common.changes.MailboxChange;
import org.emaillistener.common.changes.MailboxChanges;

/**
 * The change log of the in-memory stores: a sequence number per change, the changes of the last
 * {@link #RETENTION} kept, and at most {@value #MOST} of them (a reader that falls further behind reads
 * everything again, which in memory is cheap), so that a busy standalone without a console reading it
 * holds no more than a few megabytes.
 */
public class InMemoryMailboxChanges implements MailboxChanges {

    static final int MOST = 100_000;

    private record Entry(long sequence, MailboxChange change) {
    }

    private final Clock clock;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private long lastSequence;
    private long lastDropped;

    public InMemoryMailboxChanges() {
        this(Clock.systemUTC());
    }

    InMemoryMailboxChanges(Clock clock) {
        this.clock = clock;
    }

    public synchronized void announce(UUID mailboxId, MailboxChange.Kind kind) {
        Instant now = clock.instant();
        entries.addLast(new Entry(++lastSequence, new MailboxChange(mailboxId, kind, now)));
        Instant oldest = now.minus(RETENTION);
        while (!entries.isEmpty() && (entries.size() > MOST || entries.peekFirst().change().at().isBefore(oldest))) {
            lastDropped = entries.removeFirst().sequence();
        }
    }

    @Override
    public synchronized String end() {
        return Long.toString(lastSequence);
    }

    @Override
    public synchronized Changes since(String position, int max) {
        long after = Long.parseLong(position);
        if (after < lastDropped) {
            return new Changes(List.of(), end(), true, false);
        }
        List<MailboxChange> changes = new ArrayList<>();
        long last = after;
        for (Entry entry : entries) {
            if (entry.sequence() > after) {
                if (changes.size() == max) {
                    return new Changes(changes, Long.toString(last), false, true);
                }
                changes.add(entry.change());
                last = entry.sequence();
            }
        }
        return new Changes(changes, Long.toString(last), false, false);
    }
}
