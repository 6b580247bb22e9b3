package org.emaillistener.primary.mailbox;

/** Settings Creatio sent that the mailbox's route cannot act on; the API answers them with HTTP 400. */
public class InvalidSettingsException extends RuntimeException {

    public InvalidSettingsException(String message) {
        super(message);
    }
}
