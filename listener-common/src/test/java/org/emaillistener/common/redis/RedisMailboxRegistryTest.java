package org.emaillistener.common.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.emaillistener.common.crypto.TestEncryptionKeys.NEW_KEY;
import static org.emaillistener.common.crypto.TestEncryptionKeys.OLD_KEY;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.emaillistener.common.creatio.ServerType;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.crypto.CredentialsCipher;
import org.emaillistener.common.crypto.CredentialsDecryptionException;
import org.emaillistener.common.crypto.TestEncryptionKeys;
import org.emaillistener.common.registry.MailboxRegistry;
import org.emaillistener.common.registry.MailboxRegistryContract;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RedisMailboxRegistryTest extends MailboxRegistryContract {

    private static final String PASSWORD = "pa55-word-that-must-not-leak";
    private static final String TOKEN = "ya29.token-that-must-not-leak";

    private final RedisTestStore store = new RedisTestStore();

    @Override
    protected MailboxRegistry registry() {
        return registry(encryptedWith(NEW_KEY));
    }

    @AfterEach
    void removeTheTestsKeys() {
        store.close();
    }

    @Test
    void readsManyMailboxesInBatchesAndLeavesOutTheUnknown() {
        RedisMailboxRegistry registry = registry(encryptedWith(NEW_KEY));
        List<RegisteredMailbox> saved = new ArrayList<>();
        for (int i = 0; i < 1203; i++) {
            RegisteredMailbox mailbox = mailbox(UUID.randomUUID());
            registry.save(mailbox);
            saved.add(mailbox);
        }
        List<UUID> asked = new ArrayList<>(saved.stream().map(RegisteredMailbox::id).toList());
        UUID unknown = UUID.randomUUID();
        asked.add(unknown);

        Map<UUID, RegisteredMailbox> found = registry.findAll(asked);

        assertThat(found).hasSize(saved.size()).doesNotContainKey(unknown);
        assertThat(saved).allSatisfy(mailbox -> assertThat(found.get(mailbox.id())).isEqualTo(mailbox));
    }

    @Test
    void keepsNeitherPasswordNorTokenNorServerReadableInRedis() {
        RedisMailboxRegistry registry = registry(encryptedWith(NEW_KEY));
        RegisteredMailbox mailbox = mailbox(UUID.randomUUID());

        registry.save(mailbox);

        assertThat(store.contents()).isNotEmpty().allSatisfy((key, value) -> assertThat(value)
                .doesNotContain(PASSWORD, TOKEN, "imap.example.com", "crm.example.com"));
        assertThat(store.contents().get(store.keys.mailbox(mailbox.id())))
                .contains("\"id\":\"" + mailbox.id() + "\"", "\"registeredAt\":\"");
    }

    @Test
    void aRemovedMailboxLeavesNoKeyOfItsOwnBehind() {
        RedisMailboxRegistry registry = registry(encryptedWith(NEW_KEY));
        RegisteredMailbox kept = mailbox(UUID.randomUUID());
        RegisteredMailbox removed = mailbox(UUID.randomUUID());
        registry.save(kept);
        registry.save(removed);

        registry.remove(removed.id());

        assertThat(store.keysInUse()).containsExactlyInAnyOrder(store.keys.mailbox(kept.id()), store.keys.mailboxes(),
                store.keys.mailboxCreatioHosts(), store.keys.creatioHostMailboxes(
                        encryptedWith(NEW_KEY).creatioHostKey("crm.example.com")));
    }

    @Test
    void readsMailboxesSealedWithThePreviousKeyAndSealsAnewWithTheCurrentOne() {
        RegisteredMailbox mailbox = mailbox(UUID.randomUUID());
        registry(encryptedWith(OLD_KEY)).save(mailbox);
        RedisMailboxRegistry rotating = registry(new StoredMailboxFormat(
                Optional.of(CredentialsCipher.of(TestEncryptionKeys.rotating(NEW_KEY, OLD_KEY))), false));

        assertThat(rotating.find(mailbox.id())).contains(mailbox);
        rotating.save(mailbox);

        assertThat(registry(encryptedWith(NEW_KEY)).find(mailbox.id())).contains(mailbox);
    }

    @Test
    void failsClearlyWhenNoConfiguredKeySealedTheCredentials() {
        RegisteredMailbox mailbox = mailbox(UUID.randomUUID());
        registry(encryptedWith(OLD_KEY)).save(mailbox);

        assertThatThrownBy(() -> registry(encryptedWith(NEW_KEY)).find(mailbox.id()))
                .isInstanceOf(CredentialsDecryptionException.class)
                .hasMessageContaining("cannot decrypt the credentials of mailbox " + mailbox.id())
                .hasMessageContaining("listener.security.previous-encryption-key");
    }

    @Test
    void refusesACopyOfAnotherMailboxsSealedCredentials() {
        RedisMailboxRegistry registry = registry(encryptedWith(NEW_KEY));
        RegisteredMailbox victim = mailbox(UUID.randomUUID());
        UUID attacker = UUID.randomUUID();
        registry.save(victim);
        registry.save(mailbox(attacker));

        String victimsValue = store.redis.opsForValue().get(store.keys.mailbox(victim.id()));
        store.redis.opsForValue().set(store.keys.mailbox(attacker), victimsValue.replace(victim.id().toString(),
                attacker.toString()));

        assertThatThrownBy(() -> registry.find(attacker))
                .isInstanceOf(CredentialsDecryptionException.class)
                .hasMessageContaining("failed authentication");
    }

    @Test
    void storesPlaintextOnlyWhenAllowedAndReadsItOnlyWhileAllowed() {
        RegisteredMailbox mailbox = mailbox(UUID.randomUUID());
        registry(new StoredMailboxFormat(Optional.empty(), true)).save(mailbox);

        assertThat(store.contents().get(store.keys.mailbox(mailbox.id()))).contains(PASSWORD);
        assertThat(registry(new StoredMailboxFormat(Optional.of(CredentialsCipher.of(TestEncryptionKeys.key(NEW_KEY))),
                true)).find(mailbox.id())).contains(mailbox);
        assertThatThrownBy(() -> registry(encryptedWith(NEW_KEY)).find(mailbox.id()))
                .isInstanceOf(CredentialsDecryptionException.class)
                .hasMessageContaining("stored in plaintext and are refused");
    }

    @Test
    void aPlaintextStoreCannotReadEncryptedCredentials() {
        RegisteredMailbox mailbox = mailbox(UUID.randomUUID());
        registry(encryptedWith(NEW_KEY)).save(mailbox);

        assertThatThrownBy(() -> registry(new StoredMailboxFormat(Optional.empty(), true)).find(mailbox.id()))
                .isInstanceOf(CredentialsDecryptionException.class)
                .hasMessageContaining("listener.security.encryption-key is not set");
    }

    private RedisMailboxRegistry registry(StoredMailboxFormat format) {
        return new RedisMailboxRegistry(store.redis, store.keys, format);
    }

    private static StoredMailboxFormat encryptedWith(String key) {
        return new StoredMailboxFormat(Optional.of(CredentialsCipher.of(TestEncryptionKeys.key(key))), false);
    }

    private static RegisteredMailbox mailbox(UUID id) {
        SynchronizationCredentials credentials = new SynchronizationCredentials(id, "jane@example.com", PASSWORD,
                true, TOKEN, "jane@example.com", ServerType.IMAP.id(), "imap.example.com", 993, true, 2, false, null,
                "https://crm.example.com/0/ServiceModel/ExchangeListenerService.svc/ProcessFullEmail", "Supervisor",
                "Default", "UTC", "{UserRequested:false,HasError:false}", List.of("INBOX", "Archive"), null, 0, true,
                false, new SynchronizationCredentials.FeatureValues(true, false));
        return new RegisteredMailbox(credentials, Instant.now().truncatedTo(ChronoUnit.MICROS));
    }
}
