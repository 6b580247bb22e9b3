package org.emaillistener.common.creatio;

import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;

/** The kinds of mail server Creatio tells apart by {@code ServerTypeId}. */
public enum ServerType {
    IMAP(UUID.fromString("844f0837-eaa0-4f40-b965-71f5db9eae6e")),
    EXCHANGE(UUID.fromString("3490bd45-4f4d-4613-aa06-454546f3342a"));

    private final UUID id;

    ServerType(UUID id) {
        this.id = id;
    }

    public UUID id() {
        return id;
    }

    public static Optional<ServerType> of(UUID id) {
        return Arrays.stream(values()).filter(type -> type.id.equals(id)).findFirst();
    }
}
