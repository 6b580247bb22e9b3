package org.emaillistener.common.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.emaillistener.common.creatio.CreatioJson;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.testing.CreatioRequests;
import org.junit.jupiter.api.Test;

/** What every {@link MailboxRegistry} adapter does; each adapter's test extends this. */
public abstract class MailboxRegistryContract {

    protected abstract MailboxRegistry registry();

    @Test
    void returnsTheMailboxAsSaved() {
        MailboxRegistry registry = registry();
        RegisteredMailbox mailbox = mailbox(UUID.randomUUID(), "crm.example.com");

        registry.save(mailbox);

        assertThat(registry.find(mailbox.id())).contains(mailbox);
        assertThat(registry.find(UUID.randomUUID())).isEmpty();
    }

    @Test
    void findsManyMailboxesAtOnceAndLeavesOutTheUnknown() {
        MailboxRegistry registry = registry();
        RegisteredMailbox first = mailbox(UUID.randomUUID(), "crm.example.com");
        RegisteredMailbox second = mailbox(UUID.randomUUID(), "other.example.com");
        registry.save(first);
        registry.save(second);
        UUID unknown = UUID.randomUUID();

        Map<UUID, RegisteredMailbox> found = registry.findAll(List.of(first.id(), unknown, second.id()));

        assertThat(found).isEqualTo(Map.of(first.id(), first, second.id(), second));
    }

    @Test
    void listsTheIdsOfItsMailboxes() {
        MailboxRegistry registry = registry();
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();

        registry.save(mailbox(first, "crm.example.com"));
        registry.save(mailbox(second, "crm.example.com"));
        registry.save(mailbox(first, "crm.example.com"));

        assertThat(registry.ids()).containsExactlyInAnyOrder(first, second);
    }

    @Test
    void forgetsARemovedMailbox() {
        MailboxRegistry registry = registry();
        RegisteredMailbox kept = mailbox(UUID.randomUUID(), "crm.example.com");
        RegisteredMailbox removed = mailbox(UUID.randomUUID(), "crm.example.com");
        registry.save(kept);
        registry.save(removed);

        assertThat(registry.remove(removed.id())).isTrue();

        assertThat(registry.find(removed.id())).isEmpty();
        assertThat(registry.ids()).containsExactly(kept.id());
        assertThat(registry.remove(removed.id())).isFalse();
        assertThat(registry.countFor("crm.example.com")).isEqualTo(1);
    }

    @Test
    void countsTheMailboxesOfEachCreatioHostAndSavesNoMoreThanTheLimitAllows() {
        MailboxRegistry registry = registry();
        RegisteredMailbox first = mailbox(UUID.randomUUID(), "crm.example.com");
        RegisteredMailbox second = mailbox(UUID.randomUUID(), "crm.example.com");

        assertThat(registry.saveWithin(first, 2)).isTrue();
        assertThat(registry.saveWithin(second, 2)).isTrue();
        RegisteredMailbox third = mailbox(UUID.randomUUID(), "crm.example.com");
        assertThat(registry.saveWithin(third, 2)).isFalse();
        assertThat(registry.find(third.id())).isEmpty();
        assertThat(registry.saveWithin(first, 2)).as("a registered mailbox is saved again").isTrue();
        assertThat(registry.countFor("CRM.example.com")).isEqualTo(2);
        assertThat(registry.saveWithin(mailbox(UUID.randomUUID(), "other.example.com"), 2)).isTrue();
    }

    @Test
    void aMailboxMovedToAnotherCreatioOrRemovedIsNoLongerCountedForItsHost() {
        MailboxRegistry registry = registry();
        UUID id = UUID.randomUUID();
        registry.save(mailbox(id, "crm.example.com"));

        registry.save(mailbox(id, "new-crm.example.com"));
        assertThat(registry.countFor("crm.example.com")).isZero();
        assertThat(registry.countFor("new-crm.example.com")).isEqualTo(1);
        assertThat(registry.remove(id)).isTrue();
        assertThat(registry.countFor("new-crm.example.com")).isZero();
        assertThat(registry.ids()).doesNotContain(id);
        assertThat(registry.remove(id)).isFalse();
    }

    private static RegisteredMailbox mailbox(UUID id, String creatioHost) {
        SynchronizationCredentials credentials = CreatioJson.mapper().readValue(CreatioRequests.imapMailbox(id,
                "imap.example.com", 993, "jane@example.com", "secret", "https://" + creatioHost
                        + "/0/ServiceModel/ExchangeListenerService.svc/ProcessFullEmail", List.of()),
                SynchronizationCredentials.class);
        return new RegisteredMailbox(credentials, Instant.now().truncatedTo(ChronoUnit.MICROS));
    }
}
