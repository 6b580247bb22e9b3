package org.emaillistener.common.parking;

import java.time.Instant;
import java.util.UUID;

/**
 * A message Creatio refused as often as {@code listener.sync.max-rejections} allows.
 *
 * @param mailboxId the mailbox
 * @param folder the folder's full name (IMAP) or id (Exchange)
 * @param uidValidity the folder's UIDVALIDITY, so that a re-delivery finds the same message; 0 for
 *        Exchange
 * @param uid the message's UID; for Exchange a number derived from its item id, by which operators
 *        name it
 * @param messageId the message's Message-ID as delivered, for operators
 * @param subject its subject, for operators
 * @param reason Creatio's last answer
 * @param parkedAt when it was set aside
 * @param itemId the Exchange item id, by which a re-delivery finds it; null for IMAP
 */
public record ParkedMessage(UUID mailboxId, String folder, long uidValidity, long uid, String messageId,
        String subject, String reason, Instant parkedAt, String itemId) {
}
