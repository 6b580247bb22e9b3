package org.emaillistener.common.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * One AES-256 key and its id: a byte derived from the key itself, written in front of everything
 * the key seals, so that a reader with two keys knows which one to use. The id stays the key's own
 * through a rotation (today's current key is tomorrow's previous one).
 */
final class EncryptionKey {

    private static final int KEY_BYTES = 32;

    private final SecretKey secret;
    private final byte id;

    private EncryptionKey(byte[] key) {
        this.secret = new SecretKeySpec(key, "AES");
        this.id = idOf(key);
    }

    /**
     * @param property the setting the key came from, named in the error of a malformed key
     * @throws IllegalArgumentException if the value is not the base64 of 32 bytes
     */
    static EncryptionKey fromBase64(String property, String base64) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(property + " is not valid base64; generate a key with `openssl rand -base64 32`");
        }
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException(property + " must be the base64 of " + KEY_BYTES + " bytes (AES-256), but it is "
                    + key.length + " bytes long; generate a key with `openssl rand -base64 32`");
        }
        return new EncryptionKey(key);
    }

    SecretKey secret() {
        return secret;
    }

    byte id() {
        return id;
    }

    private static byte idOf(byte[] key) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update("email-listener key id".getBytes(StandardCharsets.US_ASCII));
            return sha256.digest(key)[0];
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "EncryptionKey[id=" + String.format("0x%02x", id) + "]";
    }
}
