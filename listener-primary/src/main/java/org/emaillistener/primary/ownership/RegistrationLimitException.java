package org.emaillistener.primary.ownership;

/** A mailbox was not registered: its Creatio host has as many as the operator allows one host. */
public class RegistrationLimitException extends RuntimeException {

    public RegistrationLimitException(String message) {
        super(message);
    }
}
