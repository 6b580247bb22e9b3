package org.emaillistener.common.testing;

import java.util.Map;

/** The MessageText Exchange 2016 sends with each ResponseCode the fake produces. */
final class EwsErrors {

    private static final Map<String, String> TEXTS = Map.ofEntries(
            Map.entry("ErrorItemNotFound",
                    "The specified object was not found in the store., The process failed to get the correct properties."),
            Map.entry("ErrorFolderNotFound", "The specified folder could not be found in the store."),
            Map.entry("ErrorInvalidIdMalformed", "Id is malformed."),
            Map.entry("ErrorInvalidSyncStateData", "Synchronization state data is corrupt or otherwise invalid."),
            Map.entry("ErrorSubscriptionNotFound", "The specified subscription was not found."),
            Map.entry("ErrorSubscriptionAccessDenied",
                    "The subscription can only be accessed by the user who created it."),
            Map.entry("ErrorMissedNotificationEvents",
                    "Events were lost because the subscription's notification queue overflowed."),
            Map.entry("ErrorInvalidSubscription", "The subscription is invalid."),
            Map.entry("ErrorExceededConnectionCount", "You have exceeded the available concurrent connections for "
                    + "your account.  Try again once your other requests have completed."),
            Map.entry("ErrorExpiredSubscription", "The subscription has expired."),
            Map.entry("ErrorServerBusy", "The server cannot service this request right now. Try again later."),
            Map.entry("ErrorIrresolvableConflict",
                    "The send or update operation could not be performed because the change key passed in the request "
                            + "does not match the current change key for the item., Property update failed."),
            Map.entry("ErrorInvalidRequest", "The request is invalid."),
            Map.entry("ErrorInvalidOperation", "The operation is not valid."),
            Map.entry("ErrorAccessDenied", "Access is denied. Check credentials and try again."),
            Map.entry("ErrorMailboxStoreUnavailable", "The mailbox database is temporarily unavailable."),
            Map.entry("ErrorInternalServerError", "An internal server error occurred. The operation failed."),
            Map.entry("ErrorInternalServerTransientError",
                    "An internal server error occurred. Try again later."));

    private EwsErrors() {
    }

    static String messageText(String responseCode) {
        return TEXTS.getOrDefault(responseCode, "The request failed with " + responseCode + ".");
    }

    /**
     * Codes Exchange reports about particular subscriptions of a GetStreamingEvents request, with their
     * ids in ErrorSubscriptionIds (ews-java-api raises OnSubscriptionError per id for these, and a
     * general failure for the rest).
     */
    static boolean concernsSubscriptions(String responseCode) {
        return switch (responseCode) {
            case "ErrorSubscriptionNotFound", "ErrorMissedNotificationEvents", "ErrorInvalidSubscription",
                    "ErrorExpiredSubscription", "ErrorSubscriptionAccessDenied",
                    "ErrorSubscriptionDelegateAccessNotSupported", "ErrorSubscriptionUnsubscribed" -> true;
            default -> false;
        };
    }
}
