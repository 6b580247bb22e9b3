package org.emaillistener.primary.api;

/** A request Creatio (or anybody) sent that the service cannot act on; answered with HTTP 400. */
class BadRequestException extends RuntimeException {

    public BadRequestException(String message) {
        super(message);
    }
}
