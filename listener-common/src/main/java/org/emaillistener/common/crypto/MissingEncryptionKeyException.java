package org.emaillistener.common.crypto;

/** A shared store would hold mailbox credentials, and no key to encrypt them is configured. */
public class MissingEncryptionKeyException extends RuntimeException {

    public MissingEncryptionKeyException(String store) {
        super("listener.store=" + store + " keeps mailbox passwords and OAuth tokens in a shared store, but "
                + "listener.security.encryption-key is not set");
    }
}
