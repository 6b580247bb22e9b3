package org.emaillistener.primary.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.emaillistener.common.changes.MailboxChanges;
import org.emaillistener.common.creatio.CreatioJson;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.cursor.Cursors;
import org.emaillistener.common.cursor.DeliveredMessages;
import org.emaillistener.common.graph.GraphConnector;
import org.emaillistener.common.graph.GraphProperties;
import org.emaillistener.common.graph.GraphTls;
import org.emaillistener.common.history.HistoryImports;
import org.emaillistener.common.lease.Leases;
import org.emaillistener.common.parking.ParkedMessage;
import org.emaillistener.common.parking.ParkedMessages;
import org.emaillistener.common.registry.MailboxRegistry;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.common.route.MailProtocol;
import org.emaillistener.common.route.MailRoutes;
import org.emaillistener.common.state.FailureKind;
import org.emaillistener.common.state.SubscriptionState.Status;
import org.emaillistener.common.state.SubscriptionState;
import org.emaillistener.common.state.SubscriptionStates;
import org.emaillistener.common.testing.CreatioRequests;
import org.emaillistener.common.testing.RedisStoreContext;
import org.emaillistener.common.testing.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The paged mailbox list on the real Redis adapters, behind a proxy that counts the commands they
 * send: paging, each filter, and what a page costs in Redis calls with 2,000 mailboxes registered.
 */
class MailboxCatalogueTest {

    private static final int MAILBOXES = 2_000;
    private static final String LIVE = "listener-primary-0";
    private static final String GONE = "listener-primary-1";

    private static CountingRedisProxy proxy;
    private static ConfigurableApplicationContext store;
    private static String prefix;
    private static MailboxCatalogue catalogue;
    private static final List<UUID> ids = new ArrayList<>();

    @BeforeAll
    static void registerTwoThousandMailboxes() throws IOException {
        TestServers.Address redis = TestServers.redis();
        proxy = new CountingRedisProxy(redis.host(), redis.port());
        prefix = "el-catalogue-" + UUID.randomUUID() + ":";
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        store = RedisStoreContext.start(prefix, Base64.getEncoder().encodeToString(key), "127.0.0.1", proxy.port());
        catalogue = new MailboxCatalogue(bean(MailboxRegistry.class), bean(SubscriptionStates.class),
                bean(Leases.class), bean(ParkedMessages.class), bean(DeliveredMessages.class),
                bean(MailboxChanges.class), bean(Cursors.class), bean(HistoryImports.class),
                new MailRoutes(new GraphConnector(new Binder().bindOrCreate("listener.graph", GraphProperties.class),
                        GraphTls.jdkDefault())));
        bean(Leases.class).heartbeat(LIVE, Duration.ofHours(1));
        for (int i = 0; i < MAILBOXES; i++) {
            UUID id = UUID.randomUUID();
            ids.add(id);
            String crm = i % 4 == 0 ? "crm-b.example.com" : "crm-a.example.com";
            String mailbox = i % 10 == 9
                    ? CreatioRequests.exchangeMailbox(id, "https://mail.example.com/EWS/Exchange.asmx",
                            String.format("ews%04d@example.com", i), "secret", bpm(crm), List.of(), 0)
                    : CreatioRequests.imapMailbox(id, "imap.example.com", 993, String.format("user%04d@example.com", i),
                            "secret", bpm(crm), List.of());
            bean(MailboxRegistry.class).save(new RegisteredMailbox(
                    CreatioJson.mapper().readValue(mailbox, SynchronizationCredentials.class), Instant.now()));
            bean(SubscriptionStates.class).save(id, state(i));
            if (i % 100 != 7) {
                bean(Leases.class).tryAcquire(id, i % 100 == 8 ? GONE : LIVE, Duration.ofHours(1));
            }
            if (i % 2 == 0) {
                bean(DeliveredMessages.class).record(id, "<" + i + "@example.com>");
            }
        }
        bean(ParkedMessages.class).park(new ParkedMessage(ids.get(3), "INBOX", 1, 7, "<7@example.com>", "Refused",
                "HTTP 400", Instant.now(), null));
    }

    /** Every 50th fails its password, every 25th (from the 5th) cannot reach its server. */
    private static SubscriptionState state(int i) {
        if (i % 50 == 1) {
            return SubscriptionState.failing(Status.FAILED, FailureKind.AUTHENTICATION, "AUTHENTICATE failed");
        }
        if (i % 25 == 5) {
            return SubscriptionState.failing(Status.RECONNECTING, FailureKind.UNREACHABLE, "Connection refused");
        }
        return SubscriptionState.of(Status.LISTENING);
    }

    private static String bpm(String host) {
        return "https://" + host + "/0/ServiceModel/ExchangeListenerService.svc/ProcessFullEmail";
    }

    private static <T> T bean(Class<T> type) {
        return store.getBean(type);
    }

    @AfterAll
    static void removeTheKeys() throws IOException {
        StringRedisTemplate redis = bean(StringRedisTemplate.class);
        Set<String> keys = redis.keys(prefix + "*");
        if (keys != null && !keys.isEmpty()) {
            redis.delete(keys);
        }
        catalogue.close();
        store.close();
        proxy.close();
    }

    private static MailboxQuery query() {
        return new MailboxQuery(null, null, null, null, null, null, null, null, false, 0, 200);
    }

    private static MailboxQuery with(MailboxQuery q, ConsoleState state, MailProtocol protocol, String replica,
            FailureKind kind, String host, Duration quiet, String text) {
        return new MailboxQuery(state, protocol, replica, kind, host, quiet, text, q.sort(), q.descending(), q.page(),
                q.size());
    }

    @Test
    void pagesThroughEveryMailboxInAddressOrderWithoutOverlapOrGap() {
        List<String> addresses = new ArrayList<>();
        Set<UUID> seen = new HashSet<>();
        for (int page = 0; page < MAILBOXES / 200 + 1; page++) {
            MailboxPage result = catalogue.snapshot().page(new MailboxQuery(null, null, null, null, null, null, null,
                    MailboxQuery.Sort.ADDRESS, false, page, 200));
            assertThat(result.total()).isEqualTo(MAILBOXES);
            result.mailboxes().forEach(entry -> {
                addresses.add(entry.address());
                seen.add(entry.id());
            });
        }
        assertThat(seen).hasSize(MAILBOXES).containsAll(ids);
        assertThat(addresses).isSorted();
    }

    @Test
    void filtersByStateProtocolReplicaErrorKindCreatioHostQuietTimeAndText() {
        var snapshot = catalogue.snapshot();
        assertThat(snapshot.page(with(query(), ConsoleState.AUTH_FAILED, null, null, null, null, null, null)).total())
                .isEqualTo(MAILBOXES / 50);
        assertThat(snapshot.page(with(query(), ConsoleState.UNREACHABLE, null, null, null, null, null, null)).total())
                .isEqualTo(MAILBOXES / 25);
        assertThat(snapshot.page(with(query(), ConsoleState.UNOWNED, null, null, null, null, null, null)).total())
                .isEqualTo(countOf(i -> (i % 100 == 7 || i % 100 == 8) && i % 50 != 1));
        assertThat(snapshot.page(with(query(), null, MailProtocol.EWS, null, null, null, null, null)).total())
                .isEqualTo(MAILBOXES / 10);
        assertThat(snapshot.page(with(query(), null, null, GONE, null, null, null, null)).total())
                .isEqualTo(MAILBOXES / 100);
        assertThat(snapshot.page(with(query(), null, null, null, FailureKind.AUTHENTICATION, null, null, null)).total())
                .isEqualTo(MAILBOXES / 50);
        assertThat(snapshot.page(with(query(), null, null, null, null, "CRM-B.example.com", null, null)).total())
                .isEqualTo(MAILBOXES / 4);
        assertThat(snapshot.page(with(query(), null, null, null, null, null, Duration.ofHours(1), null)).total())
                .isEqualTo(MAILBOXES / 2);
        assertThat(snapshot.page(with(query(), null, null, null, null, null, null, "USER0042")).mailboxes())
                .singleElement().satisfies(entry -> assertThat(entry.id()).isEqualTo(ids.get(42)));
        assertThat(snapshot.page(with(query(), null, null, null, null, null, null, ids.get(7).toString().substring(0, 13)))
                .mailboxes()).extracting(MailboxPage.Entry::id).contains(ids.get(7));
        assertThat(snapshot.page(with(query(), ConsoleState.AUTH_FAILED, MailProtocol.EWS, null, null, "crm-a.example.com",
                null, null)).total()).isEqualTo(countOf(i -> i % 50 == 1 && i % 10 == 9 && i % 4 != 0));
    }

    private static int countOf(java.util.function.IntPredicate predicate) {
        return (int) java.util.stream.IntStream.range(0, MAILBOXES).filter(predicate).count();
    }

    @Test
    void aPageCostsAFewRedisCommandsWhateverTheNumberOfMailboxes() {
        catalogue.snapshot();

        long before = proxy.commands();
        catalogue.snapshot().page(with(query(), ConsoleState.LISTENING, MailProtocol.IMAP, null, null, null, null, "user"));
        long unchanged = proxy.commands() - before;

        for (int i = 0; i < 3; i++) {
            bean(SubscriptionStates.class).save(ids.get(110 + i), SubscriptionState.of(Status.RECONNECTING));
        }
        before = proxy.commands();
        MailboxPage page = catalogue.snapshot().page(with(query(), ConsoleState.RECONNECTING, null, null, null, null,
                null, null));
        long afterChanges = proxy.commands() - before;

        assertThat(unchanged).as("Redis commands for a page when nothing changed").isLessThanOrEqualTo(2);
        assertThat(afterChanges).as("Redis commands for a page after three mailboxes changed").isLessThanOrEqualTo(8);
        assertThat(page.mailboxes()).extracting(MailboxPage.Entry::id).contains(ids.get(110), ids.get(111), ids.get(112));
        assertThat(catalogue.fullLoads()).isEqualTo(1);
    }

    @Test
    void aMailboxRegisteredRemovedOrParkedElsewhereShowsAtTheNextRequest() {
        UUID added = UUID.randomUUID();
        catalogue.snapshot();

        bean(MailboxRegistry.class).save(new RegisteredMailbox(CreatioJson.mapper().readValue(
                CreatioRequests.imapMailbox(added, "imap.example.com", 993, "newcomer@example.com", "secret",
                        bpm("crm-a.example.com"), List.of()), SynchronizationCredentials.class), Instant.now()));
        assertThat(catalogue.snapshot().page(with(query(), null, null, null, null, null, null, "newcomer")).mailboxes())
                .singleElement().satisfies(entry -> assertThat(entry.state()).isEqualTo("UNOWNED"));

        bean(ParkedMessages.class).park(new ParkedMessage(added, "INBOX", 1, 9, "<9@example.com>", "Refused",
                "HTTP 400", Instant.now(), null));
        assertThat(catalogue.snapshot().page(new MailboxQuery(null, null, null, null, null, null, null,
                MailboxQuery.Sort.PARKED, true, 0, 2)).mailboxes()).extracting(MailboxPage.Entry::id)
                .containsExactlyInAnyOrder(added, ids.get(3));

        bean(ParkedMessages.class).removeAll(added);
        bean(MailboxRegistry.class).remove(added);
        assertThat(catalogue.snapshot().page(with(query(), null, null, null, null, null, null, "newcomer")).total())
                .isZero();
    }
}
