package org.emaillistener.common.registry;

import java.time.Instant;
import java.util.UUID;

import org.emaillistener.common.creatio.SynchronizationCredentials;

/**
 * A mailbox the service serves.
 *
 * @param credentials what Creatio sent last (create, recreate or update)
 * @param registeredAt when Creatio first registered it: mail received before this is history, not
 *        new mail
 */
public record RegisteredMailbox(SynchronizationCredentials credentials, Instant registeredAt) {

    public UUID id() {
        return credentials.Id();
    }

    public RegisteredMailbox withCredentials(SynchronizationCredentials newCredentials) {
        return new RegisteredMailbox(newCredentials, registeredAt);
    }
}
