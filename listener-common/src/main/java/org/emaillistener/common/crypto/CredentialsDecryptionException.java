package org.emaillistener.common.crypto;

/**
 * Stored credentials could not be opened: sealed with a key this replica does not have, tampered
 * with, or copied from another mailbox. The message says which; it never contains a secret.
 */
public class CredentialsDecryptionException extends RuntimeException {

    public CredentialsDecryptionException(String message) {
        super(message);
    }

    public CredentialsDecryptionException(String message, Throwable cause) {
        super(message, cause);
    }
}
