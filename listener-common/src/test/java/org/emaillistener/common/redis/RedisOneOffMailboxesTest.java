package org.emaillistener.common.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import org.emaillistener.common.crypto.CredentialsCipher;
import org.emaillistener.common.crypto.TestEncryptionKeys;
import org.emaillistener.common.registry.OneOffMailboxes;
import org.emaillistener.common.registry.OneOffMailboxesContract;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RedisOneOffMailboxesTest extends OneOffMailboxesContract {

    private final RedisTestStore store = new RedisTestStore();
    private final RedisOneOffMailboxes oneOffs = new RedisOneOffMailboxes(store.redis, store.keys,
            new StoredMailboxFormat(Optional.of(CredentialsCipher.of(TestEncryptionKeys.key(TestEncryptionKeys.NEW_KEY))),
                    false));

    @AfterEach
    void removeTheTestsKeys() {
        store.close();
    }

    @Override
    protected OneOffMailboxes oneOffs() {
        return oneOffs;
    }

    @Test
    void storesTheCredentialsSealedAndWithRedisExpiry() {
        RegisteredMailbox mailbox = mailbox(UUID.randomUUID(), "one-off-password-that-must-not-leak");

        oneOffs.hold(mailbox, Duration.ofHours(24));

        String key = store.keys.oneOff(mailbox.id());
        assertThat(store.contents().get(key)).isNotNull().doesNotContain("one-off-password-that-must-not-leak");
        assertThat(store.redis.getExpire(key)).isBetween(Duration.ofHours(23).toSeconds(), Duration.ofHours(24).toSeconds());
    }
}
