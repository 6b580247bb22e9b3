package org.emaillistener.common.crypto;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The keys that protect mailbox credentials in a shared store (Redis).
 *
 * @param encryptionKey base64 of 32 random bytes (e.g. {@code openssl rand -base64 32}); seals every
 *        write and opens what it sealed. Usually from the environment:
 *        {@code LISTENER_SECURITY_ENCRYPTION_KEY}
 * @param previousEncryptionKey the key being rotated out: still opens what it sealed, never seals;
 *        each mailbox moves to the current key the next time Creatio updates it
 * @param allowPlaintextCredentials without a key, store credentials in plaintext instead of refusing
 *        to start; with a key, still read credentials stored in plaintext earlier
 */
@ConfigurationProperties("listener.security")
public record EncryptionProperties(String encryptionKey, String previousEncryptionKey,
        boolean allowPlaintextCredentials) {

    public boolean hasEncryptionKey() {
        return encryptionKey != null && !encryptionKey.isBlank();
    }

    public boolean hasPreviousEncryptionKey() {
        return previousEncryptionKey != null && !previousEncryptionKey.isBlank();
    }

    /** Keys are secrets: they stay out of logs and failure messages. */
    @Override
    public String toString() {
        return "EncryptionProperties[encryptionKey=" + (hasEncryptionKey() ? "(set)" : "(none)")
                + ", previousEncryptionKey=" + (hasPreviousEncryptionKey() ? "(set)" : "(none)")
                + ", allowPlaintextCredentials=" + allowPlaintextCredentials + "]";
    }
}
