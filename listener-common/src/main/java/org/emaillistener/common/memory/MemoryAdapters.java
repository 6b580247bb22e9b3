package org.emaillistener.common.memory;

import org.emaillistener.common.changes.MailboxChanges;
import org.emaillistener.common.cursor.Cursors;
import org.emaillistener.common.cursor.DeliveredMessages;
import org.emaillistener.common.cursor.DeliveredWindow;
import org.emaillistener.common.history.HistoryImports;
import org.emaillistener.common.jobs.MailboxLocks;
import org.emaillistener.common.jobs.SyncJobProperties;
import org.emaillistener.common.jobs.SyncJobs;
import org.emaillistener.common.lease.Leases;
import org.emaillistener.common.parking.ParkedMessages;
import org.emaillistener.common.registry.MailboxRegistry;
import org.emaillistener.common.registry.OneOffMailboxes;
import org.emaillistener.common.state.SubscriptionStates;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the in-memory adapters when configuration asks for them (the default). */
@Configuration(proxyBeanMethods = false)
public class MemoryAdapters {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "listener.store", havingValue = "memory", matchIfMissing = true)
    static class Store {

        /** One log for every store: the operator console reads what changed from it. */
        private final InMemoryMailboxChanges changes = new InMemoryMailboxChanges();

        @Bean
        MailboxChanges mailboxChanges() {
            return changes;
        }

        @Bean
        MailboxRegistry mailboxRegistry() {
            return new InMemoryMailboxRegistry(changes);
        }

        @Bean
        OneOffMailboxes oneOffMailboxes() {
            return new InMemoryOneOffMailboxes();
        }

        @Bean
        Cursors cursors() {
            return new InMemoryCursors();
        }

        @Bean
        SubscriptionStates subscriptionStates() {
            return new InMemorySubscriptionStates(changes);
        }

        @Bean
        MailboxLocks mailboxLocks() {
            return new InMemoryMailboxLocks();
        }

        @Bean
        HistoryImports historyImports() {
            return new InMemoryHistoryImports();
        }

        @Bean
        DeliveredMessages deliveredMessages(DeliveredWindow window) {
            return new InMemoryDeliveredMessages(window.window(), changes);
        }

        @Bean
        ParkedMessages parkedMessages() {
            return new InMemoryParkedMessages(changes);
        }

        @Bean
        Leases leases() {
            return new InMemoryLeases(changes);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "listener.queue", havingValue = "memory", matchIfMissing = true)
    static class Queue {

        @Bean
        SyncJobs syncJobs(SyncJobProperties properties) {
            return new InMemorySyncJobs(properties);
        }
    }
}
