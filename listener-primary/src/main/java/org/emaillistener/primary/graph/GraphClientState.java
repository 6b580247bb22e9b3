package org.emaillistener.primary.graph;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.emaillistener.common.crypto.EncryptionProperties;
import org.emaillistener.common.graph.GraphProperties;
import org.emaillistener.primary.ownership.ReplicaIdentity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Where Graph posts a folder's notifications, and the {@code clientState} they carry back. The
 * address names the mailbox, the folder and the subscriber (this replica and its incarnation), so
 * whichever replica a notification reaches knows what to sync without asking anyone, and can tell a
 * subscription that a dead or restarted replica left behind; the client state is an HMAC of the three
 * under a key every replica derives from the credentials encryption key, so only subscriptions this
 * service made are believed.
 * Without an encryption key (standalone, one process) the key is random per process: notifications
 * of subscriptions made before a restart are then ignored, and the restarted watchers make new ones.
 */
@Component
public class GraphClientState {

    private static final Logger log = LoggerFactory.getLogger(GraphClientState.class);
    private static final String HMAC = "HmacSHA256";

    private final GraphProperties properties;
    private final SecretKeySpec key;
    private final String subscriber;

    public GraphClientState(GraphProperties properties, EncryptionProperties encryption, ReplicaIdentity replica) {
        this.properties = properties;
        String encryptionKey = encryption.encryptionKey();
        this.subscriber = replica.name() + "." + replica.incarnation();
        byte[] seed;
        if (encryptionKey == null || encryptionKey.isBlank()) {
            seed = new byte[32];
            new SecureRandom().nextBytes(seed);
            if (properties.notifications()) {
                log.info("No listener.security.encryption-key: Graph notifications are believed only by this "
                        + "process (fine for one replica; replicas sharing Redis need the key)");
            }
        } else {
            seed = encryptionKey.strip().getBytes(StandardCharsets.UTF_8);
        }
        this.key = new SecretKeySpec(mac(new SecretKeySpec(seed, HMAC), "email-listener graph clientState"), HMAC);
    }

    /** The notification address of one folder's subscription made by this replica. */
    public String notificationUrl(UUID mailboxId, String folderId) {
        String base = properties.notificationUrl().strip();
        return base + (base.contains("?") ? "&" : "?") + "mailbox=" + mailboxId + "&folder="
                + URLEncoder.encode(folderId, StandardCharsets.UTF_8) + "&by="
                + URLEncoder.encode(subscriber, StandardCharsets.UTF_8);
    }

    /** The client state of one folder's subscription made by this replica: 43 characters, within Graph's 128. */
    public String of(UUID mailboxId, String folderId) {
        return of(mailboxId, folderId, subscriber);
    }

    private String of(UUID mailboxId, String folderId, String by) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(mac(key, mailboxId + "/" + folderId + "/" + by));
    }

    /**
     * Whether a notification's client state is the one this service gave the folder's subscription
     * made by {@code by} ({@code <replica>.<incarnation>}).
     */
    public boolean matches(UUID mailboxId, String folderId, String by, String clientState) {
        return clientState != null && by != null && MessageDigest.isEqual(
                of(mailboxId, folderId, by).getBytes(StandardCharsets.US_ASCII),
                clientState.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] mac(SecretKeySpec key, String text) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform has " + HMAC, e);
        }
    }
}
