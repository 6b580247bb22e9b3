package org.emaillistener.common.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.emaillistener.common.crypto.TestEncryptionKeys.NEW_KEY;

import java.util.Optional;
import java.util.UUID;

import org.emaillistener.common.changes.MailboxChanges;
import org.emaillistener.common.changes.MailboxChangesContract;
import org.emaillistener.common.crypto.CredentialsCipher;
import org.emaillistener.common.crypto.TestEncryptionKeys;
import org.emaillistener.common.cursor.DeliveredMessages;
import org.emaillistener.common.lease.Leases;
import org.emaillistener.common.parking.ParkedMessages;
import org.emaillistener.common.registry.MailboxRegistry;
import org.emaillistener.common.state.SubscriptionState;
import org.emaillistener.common.state.SubscriptionStates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RedisMailboxChangesTest extends MailboxChangesContract {

    private final RedisTestStore store = new RedisTestStore();
    private final MailboxChanges changes = new RedisMailboxChanges(store.redis, store.keys);
    private final MailboxRegistry registry = new RedisMailboxRegistry(store.redis, store.keys,
            new StoredMailboxFormat(Optional.of(CredentialsCipher.of(TestEncryptionKeys.key(NEW_KEY))), false));
    private final SubscriptionStates states = new RedisSubscriptionStates(store.redis, store.keys);
    private final Leases leases = new RedisLeases(store.redis, store.keys);
    private final ParkedMessages parked = new RedisParkedMessages(store.redis, store.keys);
    private final DeliveredMessages delivered = new RedisDeliveredMessages(store.redis, store.keys, 10);

    @AfterEach
    void removeTheTestsKeys() {
        store.close();
    }

    @Override
    protected Stores stores() {
        return new Stores(changes, registry, states, leases, parked, delivered);
    }

    @Test
    void aReaderWhoseChangesWereTrimmedIsToldItMissedThem() {
        String start = changes.end();
        for (int i = 0; i < 3; i++) {
            states.save(UUID.randomUUID(), SubscriptionState.of(SubscriptionState.Status.CONNECTING));
        }
        store.redis.opsForStream().trim(store.keys.changes(), 1);

        MailboxChanges.Changes read = changes.since(start, 100);

        assertThat(read.gap()).isTrue();
        assertThat(changes.since(read.position(), 100).changes()).isEmpty();
    }

    @Test
    void aReaderWhoseChangesWereAllKeptSeesNoGapAfterOthersWereTrimmed() {
        states.save(UUID.randomUUID(), SubscriptionState.of(SubscriptionState.Status.CONNECTING));
        states.save(UUID.randomUUID(), SubscriptionState.of(SubscriptionState.Status.CONNECTING));
        String end = changes.end();
        UUID later = UUID.randomUUID();
        states.save(later, SubscriptionState.of(SubscriptionState.Status.CONNECTING));
        store.redis.opsForStream().trim(store.keys.changes(), 1);

        MailboxChanges.Changes read = changes.since(end, 100);

        assertThat(read.gap()).isFalse();
        assertThat(read.changes()).singleElement().satisfies(change -> assertThat(change.mailboxId()).isEqualTo(later));
    }

    @Test
    void theLogStartsEmptyWithoutAGap() {
        String start = changes.end();
        UUID first = UUID.randomUUID();
        states.save(first, SubscriptionState.of(SubscriptionState.Status.CONNECTING));

        assertThat(changes.since(start, 100).changes()).singleElement()
                .satisfies(change -> assertThat(change.mailboxId()).isEqualTo(first));
    }
}
