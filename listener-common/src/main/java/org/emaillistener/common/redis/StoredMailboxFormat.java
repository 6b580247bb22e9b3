package org.emaillistener.common.redis;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.crypto.CredentialsCipher;
import org.emaillistener.common.crypto.CredentialsDecryptionException;
import org.emaillistener.common.registry.RegisteredMailbox;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON under {@code el:mailbox:{id}}:
 * {@code {"id":"…","registeredAt":"…","credentials":"<base64 of the sealed credentials JSON>"}}.
 * <p>
 * The whole credentials record is sealed, not just {@code Password} and {@code AccessToken}: with
 * the mailbox id as associated data, whoever can write to Redis but lacks the key can neither read
 * the secrets nor point them elsewhere, e.g. change {@code ServiceUrl} so that our login goes to
 * their server, or {@code BpmEndpoint} so that the mail goes to them. The id and registration
 * time stay readable for operators.
 * <p>
 * Without a cipher (only with {@code listener.security.allow-plaintext-credentials=true})
 * {@code credentials} is the plain JSON object; a plaintext record is read only while that setting
 * is on.
 */
final class StoredMailboxFormat {

    private final CredentialsCipher cipher;
    private final boolean readsPlaintext;

    /**
     * @param cipher seals what is written; empty: credentials are written in plaintext
     * @param readsPlaintext whether credentials stored in plaintext are accepted
     */
    StoredMailboxFormat(Optional<CredentialsCipher> cipher, boolean readsPlaintext) {
        this.cipher = cipher.orElse(null);
        this.readsPlaintext = readsPlaintext;
    }

    /**
     * What a Creatio host is stored as where mailboxes are counted by it: its pseudonym under the
     * cipher, so that the store does not name the customers' Creatio sites; the host itself without one.
     */
    String creatioHostKey(String creatioHost) {
        String host = creatioHost.toLowerCase(java.util.Locale.ROOT);
        return cipher == null ? host : cipher.pseudonym("creatio-host", host);
    }

    String write(RegisteredMailbox mailbox) {
        ObjectNode stored = StoredJson.MAPPER.createObjectNode();
        stored.put("id", mailbox.id().toString());
        stored.put("registeredAt", mailbox.registeredAt().toString());
        if (cipher != null) {
            byte[] credentials = StoredJson.MAPPER.writeValueAsBytes(mailbox.credentials());
            stored.put("credentials",
                    Base64.getEncoder().encodeToString(cipher.encrypt(credentials, associatedData(mailbox.id()))));
        } else {
            stored.set("credentials", StoredJson.MAPPER.valueToTree(mailbox.credentials()));
        }
        return StoredJson.MAPPER.writeValueAsString(stored);
    }

    /** @throws CredentialsDecryptionException if the credentials cannot be opened or are refused */
    RegisteredMailbox read(UUID mailboxId, String value) {
        JsonNode stored = StoredJson.MAPPER.readTree(value);
        Instant registeredAt = Instant.parse(stored.get("registeredAt").asString());
        JsonNode credentials = stored.get("credentials");
        SynchronizationCredentials opened = credentials.isString()
                ? open(mailboxId, credentials.asString())
                : readPlaintext(mailboxId, credentials);
        return new RegisteredMailbox(opened, registeredAt);
    }

    private SynchronizationCredentials open(UUID mailboxId, String sealed) {
        if (cipher == null) {
            throw new CredentialsDecryptionException("the credentials of mailbox " + mailboxId
                    + " are encrypted, but listener.security.encryption-key is not set");
        }
        byte[] credentials;
        try {
            credentials = cipher.decrypt(Base64.getDecoder().decode(sealed), associatedData(mailboxId));
        } catch (CredentialsDecryptionException e) {
            throw new CredentialsDecryptionException("cannot decrypt the credentials of mailbox " + mailboxId + ": "
                    + e.getMessage(), e);
        }
        return StoredJson.MAPPER.readValue(credentials, SynchronizationCredentials.class);
    }

    private SynchronizationCredentials readPlaintext(UUID mailboxId, JsonNode credentials) {
        if (!readsPlaintext) {
            throw new CredentialsDecryptionException("the credentials of mailbox " + mailboxId
                    + " are stored in plaintext and are refused: listener.security.allow-plaintext-credentials "
                    + "is off (turn it on to read them until Creatio updates the mailbox)");
        }
        return StoredJson.MAPPER.treeToValue(credentials, SynchronizationCredentials.class);
    }

    private static byte[] associatedData(UUID mailboxId) {
        return ("el mailbox credentials " + mailboxId).getBytes(StandardCharsets.US_ASCII);
    }
}
