package org.emaillistener.primary.subscription;

import org.emaillistener.common.creatio.ServerType;

/** A mailbox of a server type this version cannot watch yet. */
public class UnsupportedServerTypeException extends RuntimeException {

    public UnsupportedServerTypeException(ServerType type) {
        super(type + " mailboxes (ServerTypeId " + type.id() + ") are not supported yet");
    }
}
