package org.emaillistener.common.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import org.emaillistener.common.creatio.CreatioJson;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.testing.CreatioRequests;
import org.junit.jupiter.api.Test;

/** What every {@link OneOffMailboxes} adapter does; each adapter's test extends this. */
public abstract class OneOffMailboxesContract {

    protected abstract OneOffMailboxes oneOffs();

    @Test
    void holdsAMailboxAsGivenUntilReleased() {
        RegisteredMailbox mailbox = mailbox(UUID.randomUUID(), "first-password");

        oneOffs().hold(mailbox, Duration.ofMinutes(5));

        assertThat(oneOffs().find(mailbox.id())).contains(mailbox);
        assertThat(oneOffs().find(UUID.randomUUID())).isEmpty();
        oneOffs().release(mailbox.id());
        assertThat(oneOffs().find(mailbox.id())).isEmpty();
    }

    @Test
    void aSecondHoldReplacesTheFirst() {
        UUID id = UUID.randomUUID();
        oneOffs().hold(mailbox(id, "first-password"), Duration.ofMinutes(5));
        RegisteredMailbox second = mailbox(id, "second-password");

        oneOffs().hold(second, Duration.ofMinutes(5));

        assertThat(oneOffs().find(id)).contains(second);
    }

    @Test
    void credentialsAreGoneOnceTheirTimeIsUp() {
        RegisteredMailbox mailbox = mailbox(UUID.randomUUID(), "short-lived");

        oneOffs().hold(mailbox, Duration.ofMillis(300));

        await().atMost(Duration.ofSeconds(5)).until(() -> oneOffs().find(mailbox.id()).isEmpty());
    }

    protected static RegisteredMailbox mailbox(UUID id, String password) {
        SynchronizationCredentials credentials = CreatioJson.mapper().readValue(CreatioRequests.imapMailbox(id,
                "imap.example.com", 993, "jane@example.com", password,
                "https://crm.example.com/0/ServiceModel/ExchangeListenerService.svc/ProcessFullEmail", List.of()),
                SynchronizationCredentials.class);
        return new RegisteredMailbox(credentials, Instant.now().truncatedTo(ChronoUnit.MICROS));
    }
}
