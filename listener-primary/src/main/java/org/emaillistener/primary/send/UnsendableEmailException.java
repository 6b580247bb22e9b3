package org.emaillistener.primary.send;

/**
 * The email was not sent, for a reason the user can act on (a refused login, an unreachable
 * server, a rejected recipient, an address that is no address). The message is written for the user:
 * Creatio shows it as the send error.
 */
public class UnsendableEmailException extends Exception {

    public UnsendableEmailException(String message, Throwable cause) {
        super(message, cause);
    }
}
