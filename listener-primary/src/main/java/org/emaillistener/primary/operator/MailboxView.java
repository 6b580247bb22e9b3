package org.emaillistener.primary.operator;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.emaillistener.common.history.HistoryImport;
import org.emaillistener.common.parking.ParkedMessage;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.common.state.DeliveryProblem;
import org.emaillistener.common.state.SubscriptionState;

/**
 * What an operator sees of one mailbox: its settings without secrets, how it is reached ({@code route}:
 * IMAP, EWS, or Microsoft Graph, and why an Exchange Online mailbox is not), the replica that holds its
 * subscription, the subscription's state and last error, why its mail waits if it does, the messages
 * Creatio kept refusing (parked), and its history imports with their progress.
 */
public record MailboxView(UUID id, String user, String server, int port, String serverType, String route,
        List<String> folderIds, String bpmEndpoint, Instant registeredAt, String owner,
        SubscriptionState subscription, DeliveryProblem deliveryProblem, List<ParkedMessage> parkedMessages,
        List<HistoryImportView> historyImports) {

    public static MailboxView of(RegisteredMailbox mailbox, String route, String owner, SubscriptionState state, DeliveryProblem problem,
            List<ParkedMessage> parked, List<HistoryImport> imports) {
        var credentials = mailbox.credentials();
        return new MailboxView(mailbox.id(), credentials.UserName(), credentials.ServiceUrl(), credentials.Port(),
                credentials.serverType().name(), route, credentials.FolderIds(), credentials.BpmEndpoint(),
                mailbox.registeredAt(), owner, state, problem, parked,
                imports.stream().map(HistoryImportView::of).toList());
    }

    public record HistoryImportView(String filter, String status, int found, int delivered, int failed,
            Instant startedAt, Instant updatedAt) {

        static HistoryImportView of(HistoryImport historyImport) {
            return new HistoryImportView(historyImport.filter(), historyImport.status().name(), historyImport.found(),
                    historyImport.delivered(), historyImport.failed(), historyImport.startedAt(),
                    historyImport.updatedAt());
        }
    }
}
