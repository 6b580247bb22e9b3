package org.emaillistener.primary.operator;

import java.time.Instant;
import java.util.Locale;
import java.util.UUID;

import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.common.route.MailProtocol;
import org.emaillistener.common.state.DeliveryProblem;
import org.emaillistener.common.state.SubscriptionState;

/**
 * What the console knows of one mailbox without reading it again: enough to filter, sort and list it.
 * No secret: the password and tokens stay in the registry.
 *
 * @param ownerSince when its lease last changed hands, as far as the change log tells; null if before
 *        the console started
 * @param searchKey the address lower-cased, then the id: what free text and the address order compare,
 *        computed once rather than at every request
 */
record MailboxRow(UUID id, String address, MailProtocol protocol, String server, String creatioHost,
        Instant registeredAt, SubscriptionState state, String owner, Instant ownerSince, int parked,
        DeliveryProblem deliveryProblem, Instant lastDeliveredAt, String searchKey) {

    static MailboxRow of(RegisteredMailbox mailbox, MailProtocol protocol, SubscriptionState state, String owner,
            Instant ownerSince, int parked, DeliveryProblem problem, Instant lastDeliveredAt) {
        var credentials = mailbox.credentials();
        String address = credentials.SenderEmailAddress() != null && !credentials.SenderEmailAddress().isBlank()
                ? credentials.SenderEmailAddress() : credentials.UserName();
        String shown = address == null ? "" : address;
        return new MailboxRow(mailbox.id(), shown, protocol, credentials.ServiceUrl(), mailbox.creatioHost(),
                mailbox.registeredAt(), state, owner, ownerSince, parked, problem, lastDeliveredAt,
                shown.toLowerCase(Locale.ROOT) + " " + mailbox.id());
    }

    ConsoleState consoleState(java.util.Set<String> liveReplicas) {
        return ConsoleState.of(state, owner != null && liveReplicas.contains(owner));
    }
}
