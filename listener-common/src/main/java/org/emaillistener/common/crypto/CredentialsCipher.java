package org.emaillistener.common.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seals and opens secrets with AES-256-GCM. A sealed value is
 * {@code [format 0x01][key id][96-bit random nonce][ciphertext + 128-bit tag]}; the first two bytes
 * and the caller's associated data (e.g. the mailbox id) are authenticated with it, so a value
 * cannot be altered, moved to another mailbox or passed off as sealed by another key. New values
 * are sealed with the current key; the previous key, if any, only opens.
 */
public final class CredentialsCipher {

    private static final Logger log = LoggerFactory.getLogger(CredentialsCipher.class);

    private static final byte FORMAT = 1;
    private static final int HEADER_BYTES = 2;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final String CURRENT_KEY = "listener.security.encryption-key";
    private static final String PREVIOUS_KEY = "listener.security.previous-encryption-key";

    private final EncryptionKey current;
    private final List<EncryptionKey> openers;
    private final SecureRandom random = new SecureRandom();

    private CredentialsCipher(EncryptionKey current, EncryptionKey previous) {
        this.current = current;
        List<EncryptionKey> keys = new ArrayList<>(List.of(current));
        if (previous != null) {
            keys.add(previous);
        }
        this.openers = List.copyOf(keys);
    }

    /**
     * The cipher of a store that other replicas share (Redis): required there, since whoever reads
     * the store would otherwise read every mailbox's password. Empty only when plaintext is
     * explicitly allowed, which is logged loudly.
     *
     * @param store the {@code listener.store} that asks, named in the messages
     * @throws MissingEncryptionKeyException if there is no key and plaintext is not allowed
     * @throws IllegalArgumentException if a key is malformed
     */
    public static Optional<CredentialsCipher> forSharedStore(EncryptionProperties properties, String store) {
        if (properties.hasEncryptionKey()) {
            if (properties.allowPlaintextCredentials()) {
                log.warn("listener.security.allow-plaintext-credentials=true: credentials stored in plaintext "
                        + "earlier are still read (and encrypted when next saved); turn it off once every "
                        + "mailbox has been updated");
            }
            return Optional.of(of(properties));
        }
        if (properties.hasPreviousEncryptionKey()) {
            throw new IllegalArgumentException(PREVIOUS_KEY + " is set but " + CURRENT_KEY
                    + " is not: a rotation needs the new key as the current one");
        }
        if (!properties.allowPlaintextCredentials()) {
            throw new MissingEncryptionKeyException(store);
        }
        log.warn("""

                *****************************************************************************************
                * listener.security.allow-plaintext-credentials=true and no listener.security.encryption-key:
                * mailbox PASSWORDS and OAUTH TOKENS are stored in {} IN PLAINTEXT. Anyone who can
                * read it can read them. Set LISTENER_SECURITY_ENCRYPTION_KEY (`openssl rand -base64 32`).
                *****************************************************************************************""",
                store);
        return Optional.empty();
    }

    /**
     * @throws IllegalArgumentException if the current key is missing or a key is malformed
     */
    public static CredentialsCipher of(EncryptionProperties properties) {
        if (!properties.hasEncryptionKey()) {
            throw new IllegalArgumentException(CURRENT_KEY + " is not set");
        }
        EncryptionKey current = EncryptionKey.fromBase64(CURRENT_KEY, properties.encryptionKey());
        EncryptionKey previous = properties.hasPreviousEncryptionKey()
                ? EncryptionKey.fromBase64(PREVIOUS_KEY, properties.previousEncryptionKey())
                : null;
        return new CredentialsCipher(current, previous);
    }

    /**
     * A stable stand-in for a value that must be looked up by equality but not read from the store
     * (a Creatio host): HMAC-SHA256 under a key derived from the current key for this purpose,
     * Base64url, 128 bits. A new current key gives new pseudonyms; the records keyed by the old ones
     * move as they are next saved.
     */
    public String pseudonym(String purpose, String value) {
        try {
            Mac derive = Mac.getInstance("HmacSHA256");
            derive.init(new SecretKeySpec(current.secret().getEncoded(), "HmacSHA256"));
            byte[] purposeKey = derive.doFinal(("email-listener pseudonym: " + purpose).getBytes(StandardCharsets.UTF_8));
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(purposeKey, "HmacSHA256"));
            byte[] digest = mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 16));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is unavailable on this Java platform", e);
        }
    }

    public byte[] encrypt(byte[] plaintext, byte[] associatedData) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] header = { FORMAT, current.id() };
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, current.secret(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(header);
            cipher.updateAAD(associatedData);
            byte[] sealed = cipher.doFinal(plaintext);
            return ByteBuffer.allocate(HEADER_BYTES + NONCE_BYTES + sealed.length).put(header).put(nonce).put(sealed)
                    .array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable on this Java platform", e);
        }
    }

    /** @throws CredentialsDecryptionException if no configured key opens the value */
    public byte[] decrypt(byte[] sealed, byte[] associatedData) {
        if (sealed.length < HEADER_BYTES + NONCE_BYTES + TAG_BITS / 8 || sealed[0] != FORMAT) {
            throw new CredentialsDecryptionException("the stored value is not in a format this service seals");
        }
        byte keyId = sealed[1];
        List<EncryptionKey> candidates = openers.stream().filter(key -> key.id() == keyId).toList();
        if (candidates.isEmpty()) {
            throw new CredentialsDecryptionException("sealed with key id " + String.format("0x%02x", keyId)
                    + ", which is neither " + CURRENT_KEY + " nor " + PREVIOUS_KEY
                    + ": configure the key it was sealed with (as the previous key while rotating)");
        }
        for (EncryptionKey key : candidates) {
            try {
                Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
                cipher.init(Cipher.DECRYPT_MODE, key.secret(),
                        new GCMParameterSpec(TAG_BITS, sealed, HEADER_BYTES, NONCE_BYTES));
                cipher.updateAAD(sealed, 0, HEADER_BYTES);
                cipher.updateAAD(associatedData);
                return cipher.doFinal(sealed, HEADER_BYTES + NONCE_BYTES, sealed.length - HEADER_BYTES - NONCE_BYTES);
            } catch (AEADBadTagException e) {
                // Another key may share this id (1 in 256): try it before concluding.
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM is unavailable on this Java platform", e);
            }
        }
        throw new CredentialsDecryptionException("the stored value failed authentication: it was altered, belongs to "
                + "another mailbox, or was sealed with a different key of the same id");
    }
}
