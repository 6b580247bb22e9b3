package org.emaillistener.common.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.emaillistener.common.crypto.TestEncryptionKeys.NEW_KEY;
import static org.emaillistener.common.crypto.TestEncryptionKeys.OLD_KEY;
import static org.emaillistener.common.crypto.TestEncryptionKeys.OTHER_KEY;
import static org.emaillistener.common.crypto.TestEncryptionKeys.key;
import static org.emaillistener.common.crypto.TestEncryptionKeys.rotating;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.springframework.boot.diagnostics.FailureAnalysis;

class CredentialsCipherTest {

    private static final byte[] SECRET = "app-password".getBytes(StandardCharsets.UTF_8);
    private static final byte[] MAILBOX = "mailbox 1".getBytes(StandardCharsets.UTF_8);

    @Test
    void opensWhatItSealed() {
        CredentialsCipher cipher = CredentialsCipher.of(key(NEW_KEY));

        byte[] sealed = cipher.encrypt(SECRET, MAILBOX);

        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("app-password");
        assertThat(cipher.decrypt(sealed, MAILBOX)).isEqualTo(SECRET);
    }

    @Test
    void sealsTheSameSecretDifferentlyEachTime() {
        CredentialsCipher cipher = CredentialsCipher.of(key(NEW_KEY));

        assertThat(cipher.encrypt(SECRET, MAILBOX)).isNotEqualTo(cipher.encrypt(SECRET, MAILBOX));
    }

    @Test
    void detectsATamperedValue() {
        CredentialsCipher cipher = CredentialsCipher.of(key(NEW_KEY));
        byte[] sealed = cipher.encrypt(SECRET, MAILBOX);
        for (int i = 0; i < sealed.length; i++) {
            byte[] tampered = sealed.clone();
            tampered[i] ^= 1;

            assertThatThrownBy(() -> cipher.decrypt(tampered, MAILBOX))
                    .as("byte %d flipped", i)
                    .isInstanceOf(CredentialsDecryptionException.class);
        }
    }

    @Test
    void refusesAValueSealedForAnotherMailbox() {
        CredentialsCipher cipher = CredentialsCipher.of(key(NEW_KEY));
        byte[] sealed = cipher.encrypt(SECRET, MAILBOX);

        assertThatThrownBy(() -> cipher.decrypt(sealed, "mailbox 2".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(CredentialsDecryptionException.class)
                .hasMessageContaining("failed authentication");
    }

    @Test
    void opensWithThePreviousKeyAndSealsWithTheCurrentOne() {
        byte[] sealedBeforeRotation = CredentialsCipher.of(key(OLD_KEY)).encrypt(SECRET, MAILBOX);
        CredentialsCipher rotating = CredentialsCipher.of(rotating(NEW_KEY, OLD_KEY));

        byte[] sealedDuringRotation = rotating.encrypt(rotating.decrypt(sealedBeforeRotation, MAILBOX), MAILBOX);

        assertThat(CredentialsCipher.of(key(NEW_KEY)).decrypt(sealedDuringRotation, MAILBOX)).isEqualTo(SECRET);
        assertThatThrownBy(() -> CredentialsCipher.of(key(OLD_KEY)).decrypt(sealedDuringRotation, MAILBOX))
                .isInstanceOf(CredentialsDecryptionException.class);
    }

    @Test
    void namesTheSettingsWhenTheKeyThatSealedIsNotConfigured() {
        byte[] sealed = CredentialsCipher.of(key(OLD_KEY)).encrypt(SECRET, MAILBOX);

        assertThatThrownBy(() -> CredentialsCipher.of(rotating(NEW_KEY, OTHER_KEY)).decrypt(sealed, MAILBOX))
                .isInstanceOf(CredentialsDecryptionException.class)
                .hasMessageContaining("key id 0xae")
                .hasMessageContaining("listener.security.encryption-key")
                .hasMessageContaining("listener.security.previous-encryption-key")
                .hasMessageNotContaining(OLD_KEY)
                .hasMessageNotContaining(NEW_KEY);
    }

    @Test
    void refusesAKeyThatIsNot32Bytes() {
        String shortKey = Base64.getEncoder().encodeToString(new byte[16]);

        assertThatThrownBy(() -> CredentialsCipher.of(key(shortKey)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("listener.security.encryption-key must be the base64 of 32 bytes")
                .hasMessageContaining("16 bytes");
        assertThatThrownBy(() -> CredentialsCipher.of(key("not base64!")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not valid base64");
    }

    @Test
    void aSharedStoreWithoutAKeyRefusesToStartAndSaysWhatToSet() {
        EncryptionProperties none = new EncryptionProperties(null, null, false);

        assertThatThrownBy(() -> CredentialsCipher.forSharedStore(none, "redis"))
                .isInstanceOfSatisfying(MissingEncryptionKeyException.class, missing -> {
                    FailureAnalysis analysis = new MissingEncryptionKeyFailureAnalyzer().analyze(missing);
                    assertThat(analysis.getDescription()).contains("listener.store=redis",
                            "listener.security.encryption-key is not set");
                    assertThat(analysis.getAction()).contains("LISTENER_SECURITY_ENCRYPTION_KEY",
                            "openssl rand -base64 32", "listener.security.allow-plaintext-credentials=true");
                });
    }

    @Test
    void aSharedStoreKeepsPlaintextOnlyWhenExplicitlyAllowed() {
        assertThat(CredentialsCipher.forSharedStore(new EncryptionProperties(null, null, true), "redis")).isEmpty();
        assertThat(CredentialsCipher.forSharedStore(new EncryptionProperties(NEW_KEY, null, true), "redis"))
                .isPresent();
    }

    @Test
    void aPreviousKeyAloneIsAMistake() {
        assertThatThrownBy(() -> CredentialsCipher.forSharedStore(new EncryptionProperties(null, OLD_KEY, true),
                "redis"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs the new key as the current one");
    }

    @Test
    void keepsTheKeysOutOfItsDescription() {
        assertThat(rotating(NEW_KEY, OLD_KEY).toString()).doesNotContain(NEW_KEY, OLD_KEY);
    }
}
