package org.emaillistener.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.emaillistener.common.testing.CreatioRequests;
import org.emaillistener.common.testing.FakeGraph;
import org.emaillistener.common.testing.LoopbackCertificate;
import org.emaillistener.common.testing.ServiceProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exchange Online mailboxes through Graph change notifications in the split deployment: two primary
 * processes and a secondary on Redis and RabbitMQ, six mailboxes on the fake Graph, and every
 * notification posted to p2, as a load balancer in front of the primaries might send them all to one.
 * A notification for a mailbox p1 holds is believed and turned into a delivery at p2; Graph removing
 * a subscription of p1's, told to p2, gets it made again; and when p1 is killed, p2 takes its
 * mailboxes and subscribes them afresh while p1's orphaned subscriptions still notify, with every
 * email delivered once. The safety poll is an hour away: only notifications and catch-ups deliver.
 * The tests run in order on the same deployment.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GraphSplitDeploymentTest {

    private static final Logger log = LoggerFactory.getLogger(GraphSplitDeploymentTest.class);
    private static final int MAILBOXES = 6;
    private static final String TENANT = "7d3c1a52-0000-4000-8000-00000000c0de";
    private static final String CLIENT = "listener-app";
    private static final String CLIENT_SECRET = "s3cret";
    private static final String DOMAIN = "contoso.example";
    private static final String ONLINE_EWS = "https://outlook.office365.com/EWS/Exchange.asmx";

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final Map<UUID, String> users = new LinkedHashMap<>();
    private final Map<String, ServiceProcess> primaries = new HashMap<>();
    /** Each email created: its subject, and the mailbox it was created in. */
    private final Map<String, UUID> sent = new LinkedHashMap<>();
    private FakeGraph graph;
    private Deployment deployment;
    private String notificationUrl;

    @BeforeAll
    void startTheDeployment() throws Exception {
        LoopbackCertificate tls = LoopbackCertificate.create(Path.of("target", "graph-tls", run));
        graph = FakeGraph.withKeyStore(tls.keyStore(), tls.password());
        graph.addTenant(TENANT, CLIENT, CLIENT_SECRET);

        deployment = new Deployment(
                // The processes check the fake as they would Graph: the JDK's TLS, host name included.
                tls.trustStoreOptions(),
                List.of("--listener.graph.authority-host=" + graph.baseUrl(),
                        "--listener.graph.graph-url=" + graph.graphUrl(),
                        "--listener.graph.tenants[0].tenant-id=" + TENANT,
                        "--listener.graph.tenants[0].client-id=" + CLIENT,
                        "--listener.graph.tenants[0].client-secret=" + CLIENT_SECRET,
                        "--listener.graph.tenants[0].domains[0]=" + DOMAIN,
                        "--listener.graph.tenants[0].creatio-hosts[0]=127.0.0.1",
                        // Only this test reaches the API.
                        "--listener.api.allow-graph-without-base-path=true"));
        int p2Port = ServiceProcess.freePort();
        notificationUrl = "http://127.0.0.1:" + p2Port + "/graph/notifications";
        List<String> arguments = List.of("--listener.graph.notification-url=" + notificationUrl,
                "--listener.graph.safety-poll-interval=1h", "--listener.primary.capacity=" + MAILBOXES);
        // p2 first: it answers Graph's validation of every subscription, p1's too.
        primaries.put("p2", deployment.primary("p2", p2Port, arguments));
        primaries.put("p1", deployment.primary("p1", arguments));
        deployment.secondary("s1");
    }

    @AfterAll
    void stopTheDeployment() throws Exception {
        if (deployment != null) {
            deployment.close();
        }
        if (graph != null) {
            graph.close();
        }
    }

    @Test
    @Order(1)
    void deliversTheMailOfEveryMailboxThroughNotificationsThatAllReachOnePrimary() throws Exception {
        ServiceProcess entry = primaries.get("p1");
        for (int i = 0; i < MAILBOXES; i++) {
            String user = "split-" + i + "-" + run + "@" + DOMAIN;
            graph.addUser(TENANT, user);
            UUID mailbox = UUID.randomUUID();
            users.put(mailbox, user);
            var response = entry.post("/api/listeners/create", CreatioRequests.array(CreatioRequests.withOAuth(
                    CreatioRequests.exchangeMailbox(mailbox, ONLINE_EWS, user, null, deployment.creatio().bpmEndpoint(),
                            List.of(graph.folderId(user, "inbox")), 0), graph.signIn(TENANT, user))));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> deployment.holders().values().stream().distinct().count() == 2
                && deployment.holders().size() == MAILBOXES && deployment.listening().size() == MAILBOXES
                && users.values().stream().allMatch(user -> graph.activeSubscriptions(user).size() == 1));
        List<UUID> heldByP1 = deployment.heldBy("p1");
        log.info("Mailboxes per primary: {}", deployment.holders().values().stream()
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting())));

        createInEach(users.keySet(), "spread");

        deployment.awaitDeliveredOnce(sent);
        for (UUID mailbox : heldByP1) {
            String subscription = graph.activeSubscriptions(users.get(mailbox)).getFirst();
            assertThat(graph.notificationsSent()).as("notifications of %s, held by p1", mailbox)
                    .filteredOn(notification -> notification.subscriptionId().equals(subscription))
                    .singleElement().satisfies(notification -> {
                        assertThat(notification.kind()).isEqualTo("change");
                        assertThat(notification.url()).startsWith(notificationUrl + "?");
                        assertThat(notification.status()).isEqualTo(202);
                    });
        }
    }

    @Test
    @Order(2)
    void makesASubscriptionOfAnotherPrimaryAgainWhenGraphRemovesIt() throws Exception {
        UUID mailbox = deployment.heldBy("p1").getFirst();
        String user = users.get(mailbox);
        String removed = graph.activeSubscriptions(user).getFirst();

        assertThat(graph.sendLifecycle(removed, "subscriptionRemoved")).isEqualTo(202);

        await().atMost(Duration.ofSeconds(30)).until(() -> graph.activeSubscriptions(user).size() == 1
                && !graph.activeSubscriptions(user).contains(removed) && deployment.holders().containsKey(mailbox)
                && deployment.listeningSince(mailbox).isPresent());
        log.info("Mailbox {}: subscription {} removed, {} made by {}", mailbox, removed,
                graph.activeSubscriptions(user), deployment.holders().get(mailbox));
        createInEach(List.of(mailbox), "after its subscription was removed");
        deployment.awaitDeliveredOnce(sent);
    }

    @Test
    @Order(3)
    void subscribesTheMailboxesOfAKilledPrimaryAgainAndDeliversOnceWhileItsSubscriptionsStillNotify()
            throws Exception {
        List<UUID> victims = deployment.heldBy("p1");
        assertThat(victims).isNotEmpty();
        Map<UUID, List<String>> orphaned = new HashMap<>();
        victims.forEach(mailbox -> orphaned.put(mailbox, graph.activeSubscriptions(users.get(mailbox))));

        Instant killed = Instant.now();
        primaries.remove("p1").kill();
        createInEach(victims, "while p1 is dead");

        await().atMost(Duration.ofSeconds(30)).until(() -> victims.stream().allMatch(mailbox ->
                "p2".equals(deployment.holders().get(mailbox))
                        && deployment.listeningSince(mailbox).filter(killed::isBefore).isPresent()));
        log.info("p1's mailboxes subscribed by p2 {} ms after the kill", Duration.between(killed, Instant.now()).toMillis());
        createInEach(users.keySet(), "after p2 took over");
        deployment.awaitDeliveredOnce(sent);
        // A left-behind subscription's notification was still turned into a sync, then the subscription ended.
        await().atMost(Duration.ofSeconds(20)).until(() -> victims.stream().allMatch(mailbox -> {
            List<String> active = graph.activeSubscriptions(users.get(mailbox));
            return active.size() == 1 && !orphaned.get(mailbox).contains(active.getFirst());
        }));
        for (UUID mailbox : victims) {
            assertThat(graph.notificationsSent())
                    .as("notifications of p1's left-behind subscription of %s", mailbox)
                    .filteredOn(notification -> orphaned.get(mailbox).contains(notification.subscriptionId()))
                    .isNotEmpty().allMatch(notification -> notification.status() == 202);
        }
    }

    /** Creates an email in each mailbox's Inbox on the fake Graph, which notifies its subscriptions. */
    private void createInEach(Collection<UUID> mailboxes, String when) {
        for (UUID mailbox : mailboxes) {
            String user = users.get(mailbox);
            String subject = "To " + user + " " + when;
            graph.createMessage(user, graph.folderId(user, "inbox"), mime(user, subject));
            sent.put(subject, mailbox);
        }
    }

    /** A plain email from Alice Example, as Exchange would keep its MIME. */
    private static byte[] mime(String to, String subject) {
        return ("From: Alice Example <alice@example.com>\r\nTo: " + to + "\r\nSubject: " + subject
                + "\r\nDate: " + DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now())
                + "\r\nMessage-ID: <" + UUID.randomUUID() + "@example.com>\r\nMIME-Version: 1.0"
                + "\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nHello from " + subject + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }
}
