package org.emaillistener.common.changes;

import java.time.Instant;
import java.util.UUID;

/**
 * One change to what is stored about a mailbox.
 *
 * @param mailboxId the mailbox
 * @param kind what changed
 * @param at when the store recorded it
 */
public record MailboxChange(UUID mailboxId, Kind kind, Instant at) {

    public enum Kind {
        /** Registered, updated or removed. */
        REGISTRATION,
        /** Its subscription state, or its delivery problem. */
        STATE,
        /** Its lease was taken, released or revoked. */
        LEASE,
        /** A message was parked or unparked. */
        PARKED,
        /** A message was delivered to Creatio. */
        DELIVERED
    }
}
