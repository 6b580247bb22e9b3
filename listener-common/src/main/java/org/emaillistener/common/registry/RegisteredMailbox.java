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

    /**
     * The host of the Creatio it delivers to ({@code BpmEndpoint}'s), lower-cased; empty when it names
     * none. Registrations are counted by it.
     */
    public String creatioHost() {
        String endpoint = credentials.BpmEndpoint();
        if (endpoint == null || endpoint.isBlank()) {
            return "";
        }
        try {
            String host = java.net.URI.create(endpoint.trim()).getHost();
            return host == null ? "" : host.toLowerCase(java.util.Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    public UUID id() {
        return credentials.Id();
    }

    public RegisteredMailbox withCredentials(SynchronizationCredentials newCredentials) {
        return new RegisteredMailbox(newCredentials, registeredAt);
    }
}
