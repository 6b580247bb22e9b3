package org.emaillistener.primary.send;

/** The Email of a send request cannot be made into a message at all; the request is answered with HTTP 400. */
public class InvalidEmailException extends RuntimeException {

    public InvalidEmailException(String message) {
        super(message);
    }
}
