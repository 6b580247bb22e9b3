package org.emaillistener.common.creatio;

import java.util.List;

/**
 * {@code NewEmail}, Creatio's legacy Exchange callback (docs/creatio-protocol.md, "NewEmail"): the Exchange
 * item ids of new mail, wrapped and camelCase; Creatio's {@code ExchangeEventsProcessor} then loads
 * the items itself over EWS with the mailbox's settings. Sent only where configured
 * ({@link CreatioProperties#legacyNewEmail}) for a mailbox served over EWS whose {@code BpmEndpoint}
 * names {@code NewEmail}.
 */
public record NewEmailEvent(NewEvent newEvent) {

    /**
     * @param id the mailbox (Creatio's mailbox sync settings id)
     * @param eventTimeStamp when the listener saw the mail, in UTC .NET ticks
     */
    public record NewEvent(List<String> uniqueIds, String id, String sysAdminUnit, String workspaceName,
            String timeZoneId, long eventTimeStamp) {

        public NewEvent {
            uniqueIds = List.copyOf(uniqueIds);
        }
    }

    public static NewEmailEvent of(SynchronizationCredentials mailbox, List<String> itemIds, long eventTimeStamp) {
        return new NewEmailEvent(new NewEvent(itemIds, mailbox.Id().toString(), mailbox.BpmUser(),
                mailbox.BpmUserWorkspace(), mailbox.BpmUserTimeZone(), eventTimeStamp));
    }
}
