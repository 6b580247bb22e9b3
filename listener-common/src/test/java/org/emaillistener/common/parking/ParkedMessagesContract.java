package org.emaillistener.common.parking;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** What every {@link ParkedMessages} adapter does; each adapter's test extends this. */
public abstract class ParkedMessagesContract {

    private final UUID mailbox = UUID.randomUUID();

    protected abstract ParkedMessages parked();

    @Test
    void listsAMailboxsParkedMessagesOldestFirst() {
        ParkedMessage first = message(mailbox, "INBOX", 7, Instant.parse("2026-01-01T10:00:00Z"));
        ParkedMessage second = message(mailbox, "Проекты:Клиенты", 7, Instant.parse("2026-01-01T11:00:00Z"));
        ParkedMessage third = message(mailbox, "INBOX", 3, Instant.parse("2026-01-01T12:00:00Z"));

        parked().park(second);
        parked().park(third);
        parked().park(first);

        assertThat(parked().of(mailbox)).containsExactly(first, second, third);
        assertThat(parked().of(UUID.randomUUID())).isEmpty();
    }

    @Test
    void findsAParkedMessageByItsFolderAndUid() {
        ParkedMessage inbox = message(mailbox, "INBOX", 7, Instant.parse("2026-01-01T10:00:00Z"));
        ParkedMessage clients = message(mailbox, "Проекты:Клиенты", 7, Instant.parse("2026-01-01T11:00:00Z"));
        parked().park(inbox);
        parked().park(clients);

        assertThat(parked().find(mailbox, "Проекты:Клиенты", 7)).contains(clients);
        assertThat(parked().find(mailbox, "INBOX", 7)).contains(inbox);
        assertThat(parked().find(mailbox, "INBOX", 8)).isEmpty();
        assertThat(parked().find(UUID.randomUUID(), "INBOX", 7)).isEmpty();
    }

    @Test
    void keepsAnExchangeMessagesItemId() {
        ParkedMessage exchange = new ParkedMessage(mailbox, "AAMkADY3ZTk0MGU0AAEMAAAA", 0, 4_123_456_789L,
                "<m@example.com>", "Poison", "HTTP 400", Instant.parse("2026-01-01T10:00:00Z"),
                "AAMkADY3ZTk0MGU0LWNlMjYtNDI3Yi1hOGQ1LTkwYjFjOWUwMjY1MQBGAAAAAAC=");

        parked().park(exchange);

        assertThat(parked().find(mailbox, exchange.folder(), exchange.uid())).contains(exchange);
    }

    @Test
    void aMessageParkedAgainReplacesItsRecord() {
        parked().park(message(mailbox, "INBOX", 7, Instant.parse("2026-01-01T10:00:00Z")));
        ParkedMessage again = new ParkedMessage(mailbox, "INBOX", 1700000000L, 7, "<m@example.com>", "Poison",
                "HTTP 500", Instant.parse("2026-01-02T10:00:00Z"), null);

        parked().park(again);

        assertThat(parked().of(mailbox)).containsExactly(again);
    }

    @Test
    void removesOneParkedMessage() {
        ParkedMessage first = message(mailbox, "INBOX", 7, Instant.parse("2026-01-01T10:00:00Z"));
        ParkedMessage second = message(mailbox, "Проекты:Клиенты", 7, Instant.parse("2026-01-01T11:00:00Z"));
        parked().park(first);
        parked().park(second);

        parked().remove(mailbox, "INBOX", 7);

        assertThat(parked().of(mailbox)).containsExactly(second);
        assertThat(parked().find(mailbox, "INBOX", 7)).isEmpty();
    }

    @Test
    void removeAllForgetsTheMailboxsParkedMessagesAndNoOtherMailboxs() {
        UUID other = UUID.randomUUID();
        parked().park(message(mailbox, "INBOX", 7, Instant.parse("2026-01-01T10:00:00Z")));
        parked().park(message(mailbox, "Sent", 8, Instant.parse("2026-01-01T11:00:00Z")));
        ParkedMessage others = message(other, "INBOX", 7, Instant.parse("2026-01-01T10:00:00Z"));
        parked().park(others);

        parked().removeAll(mailbox);

        assertThat(parked().of(mailbox)).isEmpty();
        assertThat(parked().of(other)).containsExactly(others);
    }

    private static ParkedMessage message(UUID mailbox, String folder, long uid, Instant at) {
        return new ParkedMessage(mailbox, folder, 1700000000L, uid, "<m@example.com>", "Poison", "HTTP 400", at, null);
    }

    @Test
    void countsTheParkedMessagesOfManyMailboxesAtOnce() {
        UUID other = UUID.randomUUID();
        parked().park(message(mailbox, "INBOX", 1, Instant.parse("2026-01-01T10:00:00Z")));
        parked().park(message(mailbox, "INBOX", 2, Instant.parse("2026-01-01T10:01:00Z")));
        parked().park(message(other, "Sent", 5, Instant.parse("2026-01-01T10:02:00Z")));

        assertThat(parked().counts(List.of(mailbox, other, UUID.randomUUID())))
                .isEqualTo(Map.of(mailbox, 2, other, 1));
        parked().remove(mailbox, "INBOX", 1);
        assertThat(parked().counts(List.of(mailbox))).isEqualTo(Map.of(mailbox, 1));
    }
}
