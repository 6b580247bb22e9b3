package org.emaillistener.common.exchange;

/**
 * A failed EWS call, in the library-neutral terms the listener acts on: the HTTP status (0 when the
 * server answered none) and the EWS response code ({@code ErrorSubscriptionNotFound}, …; null when
 * the call failed below SOAP).
 */
public class ExchangeException extends Exception {

    private final int httpStatus;
    private final String responseCode;

    public ExchangeException(String message, int httpStatus, String responseCode, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.responseCode = responseCode;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public String responseCode() {
        return responseCode;
    }

    /** The server refused the credentials or the token (HTTP 401, or 403 for a blocked account). */
    public boolean authenticationFailed() {
        return httpStatus == 401 || httpStatus == 403;
    }

    public boolean subscriptionNotFound() {
        return "ErrorSubscriptionNotFound".equals(responseCode);
    }

    /** The server dropped the subscription's events ({@code ErrorMissedNotificationEvents}). */
    public boolean missedEvents() {
        return "ErrorMissedNotificationEvents".equals(responseCode);
    }

    /** The subscription is of no more use: unknown to the server, or it lost events. Subscribe again. */
    public boolean subscriptionLost() {
        return subscriptionNotFound() || missedEvents();
    }

    public boolean syncStateInvalid() {
        return "ErrorInvalidSyncStateData".equals(responseCode);
    }

    public boolean itemNotFound() {
        return "ErrorItemNotFound".equals(responseCode);
    }
}
