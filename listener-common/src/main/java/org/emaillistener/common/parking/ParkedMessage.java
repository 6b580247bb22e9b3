package org.emaillistener.common.parking;

import java.time.Instant;
import java.util.UUID;

/**
 * A message Creatio refused as often as {@code listener.sync.max-rejections} allows.
 *
 * @param mailboxId the mailbox
 * @param folder the folder's full name
 * @param uidValidity the folder's UIDVALIDITY, so that a re-delivery finds the same message
 * @param uid the message's UID
 * @param messageId the message's Message-ID as delivered, for operators
 * @param subject its subject, for operators
 * @param reason Creatio's last answer
 * @param parkedAt when it was set aside
 */
public record ParkedMessage(UUID mailboxId, String folder, long uidValidity, long uid, String messageId,
        String subject, String reason, Instant parkedAt) {
}
