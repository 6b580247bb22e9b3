package org.emaillistener.primary.operator;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.emaillistener.common.cursor.SyncCursor;
import org.emaillistener.common.history.HistoryImport;
import org.emaillistener.common.parking.ParkedMessage;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.common.route.MailRoute;
import org.emaillistener.common.state.DeliveryProblem;
import org.emaillistener.common.state.SubscriptionState;

/**
 * What an operator sees of one mailbox: its settings without secrets, how it is reached ({@code route}:
 * IMAP, EWS, or Microsoft Graph, and why an Exchange Online mailbox is not), the replica that holds its
 * subscription, the subscription's state and last error, each watched folder's cursor, why its mail
 * waits if it does, the messages Creatio kept refusing (parked), and its history imports with their
 * progress.
 *
 * @param ownerLive whether the replica holding its lease is alive
 * @param ownerSince when its lease last changed hands, as far as this console saw; null if before
 */
public record MailboxView(UUID id, String user, String server, int port, String serverType, String route,
        String state, List<String> folderIds, String bpmEndpoint, Instant registeredAt, String owner, boolean ownerLive,
        Instant ownerSince, SubscriptionState subscription, Instant lastDeliveredAt, DeliveryProblem deliveryProblem,
        Map<String, CursorView> cursors, List<ParkedMessage> parkedMessages, List<HistoryImportView> historyImports) {

    static MailboxView of(RegisteredMailbox mailbox, MailRoute route, ConsoleState state, String owner, boolean ownerLive,
            Instant ownerSince, SubscriptionState subscription, Instant lastDeliveredAt, DeliveryProblem problem,
            Map<String, SyncCursor> cursors, List<ParkedMessage> parked, List<HistoryImport> imports) {
        var credentials = mailbox.credentials();
        Map<String, CursorView> cursorViews = new LinkedHashMap<>();
        cursors.forEach((folder, cursor) -> cursorViews.put(folder, CursorView.of(cursor)));
        return new MailboxView(mailbox.id(), credentials.UserName(), credentials.ServiceUrl(), credentials.Port(),
                credentials.serverType().name(), route.description(), state.name(), credentials.FolderIds(),
                credentials.BpmEndpoint(), mailbox.registeredAt(), owner, ownerLive, ownerSince, subscription,
                lastDeliveredAt, problem, cursorViews, parked, imports.stream().map(HistoryImportView::of).toList());
    }

    /**
     * Where delivery stands in one folder: for IMAP the UID delivered last under its UIDVALIDITY, for
     * Exchange whether a sync state is held ({@code syncState}: its length, not its content).
     */
    public record CursorView(long uidValidity, long lastUid, Instant lastDeliveredAt, long rejectedUid,
            int rejections, int syncStateLength) {

        static CursorView of(SyncCursor cursor) {
            return new CursorView(cursor.uidValidity(), cursor.lastUid(), cursor.lastDeliveredAt(),
                    cursor.rejectedUid(), cursor.rejections(), cursor.syncState() == null ? 0 : cursor.syncState().length());
        }
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
