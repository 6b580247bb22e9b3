package org.emaillistener.primary.ownership;

import org.emaillistener.common.crypto.EncryptionProperties;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.emaillistener.common.creatio.CallbackAllowList;
import org.emaillistener.common.creatio.CreatioClient;
import org.emaillistener.common.creatio.CreatioJson;
import org.emaillistener.common.creatio.CreatioProperties;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.exchange.ExchangeConnector;
import org.emaillistener.common.exchange.ExchangeProperties;
import org.emaillistener.common.graph.GraphConnector;
import org.emaillistener.common.graph.GraphProperties;
import org.emaillistener.common.graph.GraphTls;
import org.emaillistener.common.imap.ImapConnector;
import org.emaillistener.common.imap.ImapProperties;
import org.emaillistener.common.jobs.SyncJobProperties;
import org.emaillistener.common.memory.InMemoryCursors;
import org.emaillistener.common.memory.InMemoryDeliveredMessages;
import org.emaillistener.common.memory.InMemoryHistoryImports;
import org.emaillistener.common.memory.InMemoryOneOffMailboxes;
import org.emaillistener.common.memory.InMemoryLeases;
import org.emaillistener.common.memory.InMemoryMailboxRegistry;
import org.emaillistener.common.memory.InMemoryParkedMessages;
import org.emaillistener.common.memory.InMemorySubscriptionStates;
import org.emaillistener.common.memory.InMemorySyncJobs;
import org.emaillistener.common.route.MailRoutes;
import org.emaillistener.common.state.SubscriptionState;
import org.emaillistener.common.testing.CreatioRequests;
import org.emaillistener.common.testing.CreatioStandIn;
import org.emaillistener.primary.ews.ExchangeWatchers;
import org.emaillistener.primary.graph.GraphClientState;
import org.emaillistener.primary.graph.GraphWatchers;
import org.emaillistener.primary.imap.ImapWatchers;
import org.emaillistener.primary.subscription.Subscriptions;
import org.emaillistener.primary.subscription.SyncJobOutbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;

import com.icegreen.greenmail.util.GreenMail;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;

/**
 * Two primary replicas sharing one registry and one set of leases (in memory here; Redis in the
 * split deployment), serving real IMAP subscriptions on GreenMail.
 */
class MailboxOwnershipTest {

    static final OwnershipProperties OWNERSHIP = new OwnershipProperties("", 100, Duration.ofSeconds(2),
            Duration.ofMillis(200), 50, 0);

    GreenMail greenMail;
    InMemoryMailboxRegistry registry = new InMemoryMailboxRegistry();
    InMemoryLeases leases = new InMemoryLeases();
    InMemorySubscriptionStates states = new InMemorySubscriptionStates();
    InMemoryCursors cursors = new InMemoryCursors();
    List<ImapWatchers> watchers = new ArrayList<>();
    Replica first;
    Replica second;

    record Replica(MailboxOwnership ownership, Subscriptions subscriptions) {
    }

    @BeforeEach
    void start() {
        greenMail = new GreenMail(ServerSetup.dynamicPort(ServerSetupTest.SMTP_IMAP));
        greenMail.start();
        first = replica("first");
        first.ownership().start();
    }

    @AfterEach
    void stop() {
        for (Replica replica : new Replica[] { first, second }) {
            if (replica != null && replica.ownership().isRunning()) {
                replica.ownership().stop();
            }
        }
        watchers.forEach(ImapWatchers::destroy);
        greenMail.stop();
    }

    @Test
    void sharesTheMailboxesFairlyWithANewReplica() {
        List<UUID> mailboxes = registerMailboxes(10);
        await().until(() -> first.subscriptions().served().size() == 10);

        second = replica("second");
        second.ownership().start();

        await().atMost(Duration.ofSeconds(10)).until(() -> second.subscriptions().served().size() == 5
                && first.subscriptions().served().size() == 5);
        assertThat(union()).containsExactlyInAnyOrderElementsOf(mailboxes);
    }

    @Test
    void handsEveryMailboxOverOnAGracefulStop() {
        List<UUID> mailboxes = registerMailboxes(6);
        second = replica("second");
        second.ownership().start();
        await().atMost(Duration.ofSeconds(10)).until(() -> second.subscriptions().served().size() == 3);

        first.ownership().stop();

        await().atMost(Duration.ofSeconds(2)).until(() -> second.subscriptions().served().size() == 6);
        assertThat(second.subscriptions().served()).containsExactlyInAnyOrderElementsOf(mailboxes);
    }

    @Test
    void stopsASubscriptionWhoseLeaseAnotherReplicaTook() {
        UUID mailbox = registerMailboxes(1).getFirst();
        await().until(() -> first.subscriptions().served().contains(mailbox));

        leases.revoke(mailbox);
        assertThat(leases.tryAcquire(mailbox, "usurper", Duration.ofMinutes(1))).isTrue();

        await().atMost(Duration.ofSeconds(2)).until(() -> first.subscriptions().served().isEmpty());
    }

    @Test
    void forgetsAMailboxClosedThroughAnotherReplica() {
        UUID mailbox = registerMailboxes(1).getFirst();
        second = replica("second");
        second.ownership().start();
        await().until(() -> first.subscriptions().served().contains(mailbox));

        second.ownership().close(mailbox);

        await().atMost(Duration.ofSeconds(2)).until(() -> first.subscriptions().served().isEmpty());
        assertThat(second.subscriptions().served()).isEmpty();
        assertThat(registry.ids()).isEmpty();
    }

    @Test
    void resubscribesAMailboxServedElsewhereByEndingItsLease() {
        UUID mailbox = registerMailboxes(1).getFirst();
        second = replica("second");
        second.ownership().start();
        await().until(() -> first.subscriptions().served().contains(mailbox));

        second.ownership().resubscribe(mailbox);

        assertThat(leases.holders(List.of(mailbox))).isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> leases.holders(List.of(mailbox)).size() == 1);
        Replica serving = leases.holders(List.of(mailbox)).get(mailbox).equals("first") ? first : second;
        Replica other = serving == first ? second : first;
        await().atMost(Duration.ofSeconds(5)).until(() -> serving.subscriptions().served().equals(Set.of(mailbox))
                && other.subscriptions().served().isEmpty());
    }

    @Test
    void resubscribesAMailboxServedHereAtOnceKeepingItsLease() {
        UUID mailbox = registerMailboxes(1).getFirst();
        await().until(() -> first.subscriptions().served().contains(mailbox));

        first.ownership().resubscribe(mailbox);

        assertThat(leases.holders(List.of(mailbox))).containsEntry(mailbox, "first");
        assertThat(first.subscriptions().served()).containsExactly(mailbox);
        await().until(() -> states.find(mailbox).map(state -> state.status() == SubscriptionState.Status.LISTENING)
                .orElse(false));
    }

    @Test
    void mailboxesBeyondTheCapacitySayWhyAndAreServedWhenThereIsRoom() throws Exception {
        first.ownership().stop();
        first = replica("small", 3);
        first.ownership().start();
        try (CreatioStandIn creatio = new CreatioStandIn()) {
            List<UUID> mailboxes = registerMailboxes(5, creatio.bpmEndpoint());
            await().atMost(Duration.ofSeconds(5)).until(() -> first.subscriptions().served().size() == 3);
            List<UUID> waiting = mailboxes.stream().filter(id -> !first.subscriptions().served().contains(id)).toList();

            await().atMost(Duration.ofSeconds(5)).until(() -> waiting.stream().allMatch(id -> states.find(id)
                    .map(state -> state.status() == SubscriptionState.Status.WAITING_FOR_CAPACITY).orElse(false)));
            assertThat(states.find(waiting.getFirst()).orElseThrow().errorMessage()).contains("capacity");
            assertThat(waiting).allMatch(first.subscriptions()::isAlive);
            await().atMost(Duration.ofSeconds(5)).until(() -> unavailableReports(creatio).containsAll(waiting));
            assertThat(unavailableReports(creatio)).hasSize(2);

            first.ownership().close(first.subscriptions().served().iterator().next());

            await().atMost(Duration.ofSeconds(5)).until(() -> waiting.stream().filter(first.subscriptions().served()::contains)
                    .count() == 1);
            UUID servedNow = waiting.stream().filter(first.subscriptions().served()::contains).findFirst().orElseThrow();
            await().atMost(Duration.ofSeconds(10)).until(() -> creatio.calls("ProcessMailboxState").stream()
                    .anyMatch(call -> call.body().get("Avaliable").asBoolean()
                            && call.body().get("MailboxId").asString().equals(servedNow.toString())));
        }
    }

    private static List<UUID> unavailableReports(CreatioStandIn creatio) {
        return creatio.calls("ProcessMailboxState").stream()
                .filter(call -> !call.body().get("Avaliable").asBoolean())
                .map(call -> UUID.fromString(call.body().get("MailboxId").asString()))
                .toList();
    }

    private List<UUID> registerMailboxes(int count) {
        return registerMailboxes(count, "http://127.0.0.1:9/0/ServiceModel/ExchangeListenerService.svc/ProcessFullEmail");
    }

    private List<UUID> registerMailboxes(int count, String bpmEndpoint) {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String user = "owned-" + i + "@example.com";
            greenMail.setUser(user, user, "secret");
            UUID id = UUID.randomUUID();
            first.ownership().register(CreatioJson.mapper().readValue(CreatioRequests.imapMailbox(id, "127.0.0.1",
                    greenMail.getImap().getPort(), user, "secret", bpmEndpoint, List.of()),
                    SynchronizationCredentials.class));
            ids.add(id);
        }
        return ids;
    }

    private Set<UUID> union() {
        Set<UUID> all = new HashSet<>(first.subscriptions().served());
        Set<UUID> seconds = second.subscriptions().served();
        assertThat(all).doesNotContainAnyElementsOf(seconds);
        all.addAll(seconds);
        return all;
    }

    private Replica replica(String name) {
        return replica(name, OWNERSHIP.capacity());
    }

    private Replica replica(String name, int capacity) {
        ImapProperties imap = new ImapProperties(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofMinutes(5),
                Duration.ofMinutes(1), Duration.ZERO, Duration.ofMillis(100), Duration.ofMillis(500), List.of(), List.of(), 0);
        ImapWatchers imapWatchers = new ImapWatchers(new ImapConnector(imap), imap, cursors, new SimpleMeterRegistry());
        watchers.add(imapWatchers);
        CreatioClient creatio = new CreatioClient(CreatioJson.mapper(),
                CreatioProperties.of(Map.of("connect-timeout", "1s", "request-timeout", "1s")),
                new CallbackAllowList(List.of("127.0.0.1")),
                new SimpleMeterRegistry());
        InMemorySyncJobs jobs = new InMemorySyncJobs(new SyncJobProperties(1, Duration.ofSeconds(1),
                Duration.ofSeconds(1), 1, Duration.ofMillis(500), Duration.ofSeconds(1)));
        Subscriptions subscriptions = new Subscriptions(registry, states, cursors, new SyncJobOutbox(jobs, new SimpleMeterRegistry()), creatio,
                new InMemoryHistoryImports(), new InMemoryOneOffMailboxes(), new MailRoutes(GRAPH),
                List.of(imapWatchers, new ExchangeWatchers(new ExchangeConnector(
                        new Binder().bindOrCreate("listener.exchange", ExchangeProperties.class))), graphWatchers(cursors)),
                new InMemoryParkedMessages(),
                new InMemoryDeliveredMessages(100), new SimpleMeterRegistry());
        OwnershipProperties properties = new OwnershipProperties(name, capacity, OWNERSHIP.leaseTtl(),
                OWNERSHIP.reconcileInterval(), OWNERSHIP.handoversPerRound(), 0);
        return new Replica(new MailboxOwnership(registry, leases, subscriptions, properties,
                new SimpleMeterRegistry()), subscriptions);
    }

    private static final GraphProperties GRAPH_PROPERTIES = new Binder().bindOrCreate("listener.graph",
            GraphProperties.class);
    private static final GraphConnector GRAPH = new GraphConnector(GRAPH_PROPERTIES, GraphTls.jdkDefault());

    private static GraphWatchers graphWatchers(InMemoryCursors cursors) {
        return new GraphWatchers(GRAPH, cursors, new GraphClientState(GRAPH_PROPERTIES,
                new EncryptionProperties(null, null, false), new ReplicaIdentity(OWNERSHIP)), new SimpleMeterRegistry());
    }
}
