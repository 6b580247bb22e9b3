package org.emaillistener.common.changes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.emaillistener.common.changes.MailboxChange.Kind;
import org.emaillistener.common.creatio.CreatioJson;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.cursor.DeliveredMessages;
import org.emaillistener.common.lease.Leases;
import org.emaillistener.common.parking.ParkedMessage;
import org.emaillistener.common.parking.ParkedMessages;
import org.emaillistener.common.registry.MailboxRegistry;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.common.state.DeliveryProblem;
import org.emaillistener.common.state.SubscriptionState;
import org.emaillistener.common.state.SubscriptionStates;
import org.emaillistener.common.testing.CreatioRequests;
import org.junit.jupiter.api.Test;

/**
 * What every change log does with the stores that write to it: each change the console needs to see
 * is in the log once, in order, for its mailbox; a write that changes nothing is not.
 */
public abstract class MailboxChangesContract {

    private final UUID mailbox = UUID.randomUUID();

    /** The log and the stores of one adapter family, the stores writing to that log. */
    public record Stores(MailboxChanges changes, MailboxRegistry registry, SubscriptionStates states, Leases leases,
            ParkedMessages parked, DeliveredMessages delivered) {
    }

    protected abstract Stores stores();

    private MailboxChanges changes() {
        return stores().changes();
    }

    private MailboxRegistry registry() {
        return stores().registry();
    }

    private SubscriptionStates states() {
        return stores().states();
    }

    private Leases leases() {
        return stores().leases();
    }

    private ParkedMessages parked() {
        return stores().parked();
    }

    private DeliveredMessages delivered() {
        return stores().delivered();
    }

    @Test
    void eachStoreAppendsItsChangesInTheOrderTheyWereMade() {
        String start = changes().end();
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);

        registry().save(registered(mailbox));
        states().save(mailbox, SubscriptionState.of(SubscriptionState.Status.LISTENING));
        leases().tryAcquire(mailbox, "replica-a", Duration.ofMinutes(1));
        parked().park(new ParkedMessage(mailbox, "INBOX", 1, 7, "<7@example.com>", "Hi", "HTTP 400", Instant.now(), null));
        delivered().record(mailbox, "<8@example.com>");
        states().saveDeliveryProblem(mailbox, new DeliveryProblem("INBOX", "HTTP 500", Instant.now()));
        leases().release(List.of(mailbox), "replica-a");
        registry().remove(mailbox);

        MailboxChanges.Changes read = changes().since(start, 100);
        assertThat(read.gap()).isFalse();
        assertThat(read.more()).isFalse();
        assertThat(read.changes()).extracting(MailboxChange::kind).containsExactly(Kind.REGISTRATION, Kind.STATE,
                Kind.LEASE, Kind.PARKED, Kind.DELIVERED, Kind.STATE, Kind.LEASE, Kind.REGISTRATION);
        assertThat(read.changes()).allSatisfy(change -> {
            assertThat(change.mailboxId()).isEqualTo(mailbox);
            assertThat(change.at()).isBetween(before, Instant.now().plusSeconds(1));
        });
    }

    @Test
    void aReadFromTheEndSeesOnlyWhatCameAfterAndPagesThroughIt() {
        registry().save(registered(mailbox));
        String end = changes().end();
        List<UUID> later = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            UUID id = UUID.randomUUID();
            later.add(id);
            states().save(id, SubscriptionState.of(SubscriptionState.Status.CONNECTING));
        }

        MailboxChanges.Changes first = changes().since(end, 3);
        MailboxChanges.Changes rest = changes().since(first.position(), 3);

        assertThat(first.more()).isTrue();
        assertThat(rest.more()).isFalse();
        List<UUID> read = new ArrayList<>();
        first.changes().forEach(change -> read.add(change.mailboxId()));
        rest.changes().forEach(change -> read.add(change.mailboxId()));
        assertThat(read).isEqualTo(later);
        assertThat(changes().since(rest.position(), 3).changes()).isEmpty();
    }

    @Test
    void writesThatChangeNothingAreNotInTheLog() {
        String start = changes().end();

        states().clearDeliveryProblem(mailbox);
        parked().remove(mailbox, "INBOX", 1);
        parked().removeAll(mailbox);
        leases().revoke(mailbox);
        leases().release(List.of(mailbox), "replica-a");
        leases().tryAcquire(mailbox, "replica-a", Duration.ofMinutes(1));
        leases().tryAcquire(mailbox, "replica-a", Duration.ofMinutes(1));
        leases().renew(List.of(mailbox), "replica-a", Duration.ofMinutes(1));

        assertThat(changes().since(start, 100).changes()).extracting(MailboxChange::kind).containsExactly(Kind.LEASE);
    }

    protected static RegisteredMailbox registered(UUID id) {
        SynchronizationCredentials credentials = CreatioJson.mapper().readValue(CreatioRequests.imapMailbox(id,
                "imap.example.com", 993, "jane@example.com", "secret",
                "https://crm.example.com/0/ServiceModel/ExchangeListenerService.svc/ProcessFullEmail", List.of()),
                SynchronizationCredentials.class);
        return new RegisteredMailbox(credentials, Instant.now().truncatedTo(ChronoUnit.MICROS));
    }
}
