package org.emaillistener.primary.operator;

import org.emaillistener.common.changes.MailboxChanges;
import org.emaillistener.common.cursor.Cursors;
import org.emaillistener.common.cursor.DeliveredMessages;
import org.emaillistener.common.history.HistoryImports;
import org.emaillistener.common.jobs.SyncJobs;
import org.emaillistener.common.lease.Leases;
import org.emaillistener.common.parking.ParkedMessages;
import org.emaillistener.common.registry.MailboxRegistry;
import org.emaillistener.common.route.MailRoutes;
import org.emaillistener.common.state.SubscriptionStates;
import org.emaillistener.primary.ownership.MailboxOwnership;
import org.emaillistener.primary.subscription.SyncJobOutbox;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;

/**
 * The console's model, in the application's context: its web side lives in the management server's
 * context ({@code operator.api}), which sees these beans. The catalogue loads nothing until the console
 * is first asked.
 */
@Configuration(proxyBeanMethods = false)
public class OperatorConfiguration {

    @Bean
    @Lazy
    MailboxCatalogue mailboxCatalogue(MailboxRegistry registry, SubscriptionStates states, Leases leases,
            ParkedMessages parked, DeliveredMessages delivered, MailboxChanges changes, Cursors cursors,
            HistoryImports imports, MailRoutes routes) {
        return new MailboxCatalogue(registry, states, leases, parked, delivered, changes, cursors, imports, routes);
    }

    @Bean
    OperatorActions operatorActions(MailboxOwnership ownership, Leases leases, ParkedMessages parked,
            SyncJobOutbox jobs, SyncJobs syncJobs, HistoryImports imports) {
        return new OperatorActions(ownership, leases, parked, jobs, syncJobs, imports);
    }
}
