package org.emaillistener.common.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;

import org.emaillistener.common.changes.MailboxChange;
import org.emaillistener.common.changes.MailboxChanges;
import org.emaillistener.common.changes.MailboxChangesContract;
import org.emaillistener.common.cursor.DeliveredMessages;
import org.emaillistener.common.lease.Leases;
import org.emaillistener.common.parking.ParkedMessages;
import org.emaillistener.common.registry.MailboxRegistry;
import org.emaillistener.common.state.SubscriptionStates;
import org.junit.jupiter.api.Test;

class InMemoryMailboxChangesTest extends MailboxChangesContract {

    private final InMemoryMailboxChanges changes = new InMemoryMailboxChanges();
    private final MailboxRegistry registry = new InMemoryMailboxRegistry(changes);
    private final SubscriptionStates states = new InMemorySubscriptionStates(changes);
    private final Leases leases = new InMemoryLeases(changes);
    private final ParkedMessages parked = new InMemoryParkedMessages(changes);
    private final DeliveredMessages delivered = new InMemoryDeliveredMessages(10, changes);

    @Override
    protected Stores stores() {
        return new Stores(changes, registry, states, leases, parked, delivered);
    }

    @Test
    void aReaderThatComesBackAfterTheRetentionIsToldItMissedChanges() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T10:00:00Z"));
        InMemoryMailboxChanges log = new InMemoryMailboxChanges(clock);
        String start = log.end();
        log.announce(UUID.randomUUID(), MailboxChange.Kind.STATE);
        clock.now = clock.now.plus(MailboxChanges.RETENTION).plusSeconds(1);
        log.announce(UUID.randomUUID(), MailboxChange.Kind.STATE);

        MailboxChanges.Changes read = log.since(start, 100);

        assertThat(read.gap()).isTrue();
        assertThat(log.since(read.position(), 100).changes()).isEmpty();
    }

    @Test
    void keepsAtMostItsBoundAndTellsAReaderBehindThatItMissedChanges() {
        InMemoryMailboxChanges log = new InMemoryMailboxChanges();
        String start = log.end();
        for (int i = 0; i <= InMemoryMailboxChanges.MOST; i++) {
            log.announce(UUID.randomUUID(), MailboxChange.Kind.DELIVERED);
        }
        String recent = log.end();
        log.announce(UUID.randomUUID(), MailboxChange.Kind.DELIVERED);

        assertThat(log.since(start, 10).gap()).isTrue();
        assertThat(log.since(recent, 10).changes()).hasSize(1);
    }

    private static final class MutableClock extends Clock {

        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
