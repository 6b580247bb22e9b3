package org.emaillistener.common.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.emaillistener.common.state.SubscriptionState.Status;
import org.junit.jupiter.api.Test;

/** What every {@link SubscriptionStates} adapter does; each adapter's test extends this. */
public abstract class SubscriptionStatesContract {

    protected final UUID mailbox = UUID.randomUUID();

    protected abstract SubscriptionStates states();

    @Test
    void returnsTheSavedStateWithItsFailure() {
        SubscriptionState failed = new SubscriptionState(Status.FAILED, FailureKind.AUTHENTICATION,
                "AUTHENTICATE failed", Instant.now().truncatedTo(ChronoUnit.MICROS));

        states().save(mailbox, failed);

        assertThat(states().find(mailbox)).contains(failed);
        assertThat(states().find(UUID.randomUUID())).isEmpty();
    }

    @Test
    void keepsWhenTheServerLastAnnouncedMail() {
        SubscriptionState listening = new SubscriptionState(Status.LISTENING, null, null,
                Instant.parse("2025-03-01T10:00:00Z")).withEventAt(Instant.parse("2025-03-01T10:05:00Z"));

        states().save(mailbox, listening);

        assertThat(states().find(mailbox)).contains(listening);
    }

    @Test
    void keepsOnlyTheLatestState() {
        states().save(mailbox, SubscriptionState.of(Status.CONNECTING));
        SubscriptionState listening = new SubscriptionState(Status.LISTENING, null, null,
                Instant.parse("2025-03-01T10:00:00Z"));

        states().save(mailbox, listening);

        assertThat(states().find(mailbox)).contains(listening);
    }

    @Test
    void forgetsARemovedState() {
        states().save(mailbox, SubscriptionState.of(Status.LISTENING));

        states().remove(mailbox);

        assertThat(states().find(mailbox)).isEmpty();
    }

    @Test
    void returnsTheSavedDeliveryProblem() {
        DeliveryProblem problem = new DeliveryProblem("INBOX", "Creatio answered 500 twenty times",
                Instant.parse("2025-03-01T10:00:00Z"));

        states().saveDeliveryProblem(mailbox, problem);

        assertThat(states().findDeliveryProblem(mailbox)).contains(problem);
        assertThat(states().findDeliveryProblem(UUID.randomUUID())).isEmpty();
    }

    @Test
    void aClearedDeliveryProblemIsGoneAndTheStateStays() {
        SubscriptionState listening = new SubscriptionState(Status.LISTENING, null, null,
                Instant.parse("2025-03-01T10:00:00Z"));
        states().save(mailbox, listening);
        states().saveDeliveryProblem(mailbox, new DeliveryProblem("INBOX", "Creatio answered 500",
                Instant.parse("2025-03-01T10:00:00Z")));

        states().clearDeliveryProblem(mailbox);

        assertThat(states().findDeliveryProblem(mailbox)).isEmpty();
        assertThat(states().find(mailbox)).contains(listening);
    }

    @Test
    void removingTheStateRemovesTheDeliveryProblemToo() {
        states().save(mailbox, SubscriptionState.of(Status.LISTENING));
        states().saveDeliveryProblem(mailbox, new DeliveryProblem("INBOX", "Creatio answered 500",
                Instant.parse("2025-03-01T10:00:00Z")));

        states().remove(mailbox);

        assertThat(states().findDeliveryProblem(mailbox)).isEmpty();
    }

    @Test
    void removingOneMailboxsStateLeavesTheOthers() {
        UUID other = UUID.randomUUID();
        SubscriptionState othersState = new SubscriptionState(Status.LISTENING, null, null,
                Instant.parse("2025-03-01T10:00:00Z"));
        DeliveryProblem othersProblem = new DeliveryProblem("INBOX", "Creatio answered 500",
                Instant.parse("2025-03-01T10:00:00Z"));
        states().save(mailbox, SubscriptionState.of(Status.LISTENING));
        states().save(other, othersState);
        states().saveDeliveryProblem(other, othersProblem);

        states().remove(mailbox);

        assertThat(states().find(other)).contains(othersState);
        assertThat(states().findDeliveryProblem(other)).contains(othersProblem);
    }

    @Test
    void readsTheStatesAndProblemsOfManyMailboxesAtOnce() {
        UUID other = UUID.randomUUID();
        UUID none = UUID.randomUUID();
        SubscriptionState listening = new SubscriptionState(Status.LISTENING, null, null,
                Instant.parse("2025-03-01T10:00:00Z"));
        SubscriptionState failed = new SubscriptionState(Status.FAILED, FailureKind.AUTHENTICATION, "no",
                Instant.parse("2025-03-01T11:00:00Z"));
        DeliveryProblem problem = new DeliveryProblem("INBOX", "HTTP 500", Instant.parse("2025-03-01T12:00:00Z"));
        states().save(mailbox, listening);
        states().save(other, failed);
        states().saveDeliveryProblem(other, problem);

        assertThat(states().findAll(List.of(mailbox, other, none))).isEqualTo(Map.of(mailbox, listening, other, failed));
        assertThat(states().findDeliveryProblems(List.of(mailbox, other, none))).isEqualTo(Map.of(other, problem));
        assertThat(states().findAll(List.of())).isEmpty();
    }
}
