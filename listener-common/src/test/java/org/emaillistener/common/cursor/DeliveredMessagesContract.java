package org.emaillistener.common.cursor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** What every {@link DeliveredMessages} adapter does; each adapter's test extends this. */
public abstract class DeliveredMessagesContract {

    /** The window each adapter under test is made with. */
    protected static final int WINDOW = 3;

    protected final UUID mailbox = UUID.randomUUID();

    /** @return the adapter, remembering {@link #WINDOW} Message-IDs per mailbox */
    protected abstract DeliveredMessages delivered();

    @Test
    void remembersTheNewestMessageIdsOfTheWindow() {
        for (int i = 1; i <= 4; i++) {
            delivered().record(mailbox, "<" + i + "@example.com>");
        }

        assertThat(delivered().contains(mailbox, "<1@example.com>")).isFalse();
        assertThat(delivered().contains(mailbox, "<2@example.com>")).isTrue();
        assertThat(delivered().contains(mailbox, "<4@example.com>")).isTrue();
    }

    @Test
    void anotherMailboxsMessageIdsAreNotItsOwn() {
        delivered().record(mailbox, "<4@example.com>");

        assertThat(delivered().contains(UUID.randomUUID(), "<4@example.com>")).isFalse();
    }

    @Test
    void aMessageDeliveredAgainIsTheNewestOfTheWindow() throws InterruptedException {
        for (int i = 1; i <= 3; i++) {
            delivered().record(mailbox, "<" + i + "@example.com>");
        }
        // Delivery times may be counted in milliseconds (Redis): the second delivery must come later.
        Thread.sleep(5);

        delivered().record(mailbox, "<1@example.com>");
        delivered().record(mailbox, "<4@example.com>");

        assertThat(delivered().contains(mailbox, "<1@example.com>")).isTrue();
        assertThat(delivered().contains(mailbox, "<2@example.com>")).isFalse();
    }

    @Test
    void removeAllForgetsTheMailboxsMessageIdsAndNoOtherMailboxs() {
        UUID other = UUID.randomUUID();
        delivered().record(mailbox, "<4@example.com>");
        delivered().record(other, "<4@example.com>");

        delivered().removeAll(mailbox);

        assertThat(delivered().contains(mailbox, "<4@example.com>")).isFalse();
        assertThat(delivered().contains(other, "<4@example.com>")).isTrue();
    }

    @Test
    void tellsWhenEachMailboxLastDelivered() {
        UUID never = UUID.randomUUID();
        Instant before = Instant.now().minusMillis(5);
        delivered().record(mailbox, "<1@example.com>");
        Instant after = Instant.now().plusMillis(5);

        Map<UUID, Instant> last = delivered().lastDeliveredAt(List.of(mailbox, never));

        assertThat(last).containsOnlyKeys(mailbox);
        assertThat(last.get(mailbox)).isBetween(before, after);
    }
}
