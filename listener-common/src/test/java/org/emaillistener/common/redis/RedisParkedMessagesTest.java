package org.emaillistener.common.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import org.emaillistener.common.parking.ParkedMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RedisParkedMessagesTest {

    private final RedisTestStore store = new RedisTestStore();
    private final RedisParkedMessages parked = new RedisParkedMessages(store.redis, store.keys);
    private final UUID mailbox = UUID.randomUUID();

    @AfterEach
    void removeTheTestsKeys() {
        store.close();
    }

    @Test
    void keepsParkedMessagesByFolderAndUidOldestFirst() {
        ParkedMessage first = message("INBOX", 7, Instant.parse("2026-01-01T10:00:00Z"));
        ParkedMessage second = message("Проекты:Клиенты", 7, Instant.parse("2026-01-01T11:00:00Z"));
        parked.park(second);
        parked.park(first);

        assertThat(parked.of(mailbox)).containsExactly(first, second);
        assertThat(parked.find(mailbox, "Проекты:Клиенты", 7)).contains(second);
        assertThat(parked.find(mailbox, "INBOX", 8)).isEmpty();

        parked.remove(mailbox, "INBOX", 7);
        assertThat(parked.of(mailbox)).containsExactly(second);
        parked.removeAll(mailbox);
        assertThat(parked.of(mailbox)).isEmpty();
    }

    private ParkedMessage message(String folder, long uid, Instant at) {
        return new ParkedMessage(mailbox, folder, 1700000000L, uid, "<m@example.com>", "Poison", "HTTP 400",
                at.truncatedTo(ChronoUnit.MILLIS), null);
    }
}
