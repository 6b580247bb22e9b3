package org.emaillistener.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.emaillistener.standalone.SubscriptionEndToEndTest.assertDeliveredOnce;
import static org.emaillistener.standalone.SubscriptionEndToEndTest.awaitEmailsFor;
import static org.emaillistener.standalone.SubscriptionEndToEndTest.emailsFor;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Exchange Online mailboxes through Graph change notifications: every test of
 * {@link GraphEndToEndTest} again (whose polling is now only a safety check every 15 minutes, so
 * notifications and catch-ups must do the work), and the notification life: subscriptions per
 * folder made with Graph's validation handshake, renewed, made again when Graph removes them, ended
 * with the mailbox; a {@code missed} lifecycle event and a dropped notification caught up by delta;
 * notifications without this service's {@code clientState} ignored.
 */
@SpringBootTest(classes = StandaloneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT,
        properties = { "listener.jobs.retry-initial-delay=200ms", "listener.jobs.retry-max-delay=1s",
                "listener.graph.subscription-lifetime=20s", "listener.operator.api-key=operator-key",
                "listener.api.allow-graph-without-base-path=true",
                // As GraphEndToEndTest, whose tests run here too.
                "listener.callbacks.allowed-hosts=127.0.0.1,localhost" })
@Import(GraphEndToEndTest.TrustTheFake.class)
class GraphNotificationsEndToEndTest extends GraphEndToEndTest {

    @Override
    boolean polls() {
        return false;
    }

    private static final Duration QUIET = Duration.ofSeconds(2);

    @DynamicPropertySource
    static void notifyThisService(DynamicPropertyRegistry properties) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        properties.add("server.port", () -> port);
        properties.add("listener.graph.notification-url", () -> "http://127.0.0.1:" + port + "/graph/notifications");
    }

    @Test
    void subscribesEachWatchedFolderAndDeliversWhatGraphAnnounces() throws Exception {
        String user = newUser("notified");
        String projects = graph.addFolder(user, graph.folderId(user, "inbox"), "Projects");
        subscribe(user);
        assertThat(graph.activeSubscriptions(user)).hasSizeGreaterThanOrEqualTo(2);

        graph.createMessage(user, projects, mime(user, "In a subfolder", "<n1-" + user + ">"));
        graph.createMessage(user, graph.folderId(user, "inbox"), mime(user, "In the Inbox", "<n2-" + user + ">"));

        awaitEmailsFor(user, 2);
        assertDeliveredOnce(user, 2);
        assertThat(graph.notificationsSent()).filteredOn(n -> graph.activeSubscriptions(user).contains(n.subscriptionId()))
                .filteredOn(n -> n.kind().equals("change")).hasSize(2).allMatch(n -> n.status() == 202);
    }

    @Test
    void aMissedLifecycleEventIsCaughtUpByDelta() throws Exception {
        String user = newUser("missed");
        String inbox = subscribeToTheInboxAlone(user);
        graph.dropNextNotification(user);
        graph.createMessage(user, inbox, mime(user, "Never announced", "<m1-" + user + ">"));
        Thread.sleep(QUIET);
        assertThat(emailsFor(user)).isEmpty();

        assertThat(graph.sendLifecycle(onlySubscription(user), "missed")).isEqualTo(202);

        awaitEmailsFor(user, 1);
        assertDeliveredOnce(user, 1);
    }

    @Test
    void theMailOfADroppedNotificationComesWithTheNextOnesDelta() throws Exception {
        String user = newUser("dropped");
        String inbox = subscribeToTheInboxAlone(user);
        graph.dropNextNotification(user);
        graph.createMessage(user, inbox, mime(user, "Dropped", "<d1-" + user + ">"));
        graph.createMessage(user, inbox, mime(user, "Announced", "<d2-" + user + ">"));

        awaitEmailsFor(user, 2);
        assertDeliveredOnce(user, 2);
    }

    @Test
    void makesTheSubscriptionAgainWhenGraphRemovesIt() throws Exception {
        String user = newUser("removed");
        String inbox = subscribeToTheInboxAlone(user);
        String removed = onlySubscription(user);

        assertThat(graph.sendLifecycle(removed, "subscriptionRemoved")).isEqualTo(202);

        await().atMost(Duration.ofSeconds(20)).until(() -> graph.activeSubscriptions(user).size() == 1
                && !graph.activeSubscriptions(user).contains(removed));
        graph.createMessage(user, inbox, mime(user, "After the removal", "<r1-" + user + ">"));
        awaitEmailsFor(user, 1);
        assertDeliveredOnce(user, 1);
    }

    @Test
    void renewsSubscriptionsBeforeTheyExpireAndWhenGraphAsksForReauthorization() {
        String user = newUser("renewed");
        subscribe(user, List.of(graph.folderId(user, "inbox")));
        String subscription = onlySubscription(user);
        Instant first = graph.subscriptionExpiry(subscription);

        assertThat(graph.sendLifecycle(subscription, "reauthorizationRequired")).isEqualTo(202);
        await().atMost(Duration.ofSeconds(5)).until(() -> graph.subscriptionExpiry(subscription).isAfter(first));

        // Lifetime 20 s: renewed once 10 s of it have passed, so it never expires.
        Instant reauthorized = graph.subscriptionExpiry(subscription);
        await().atMost(Duration.ofSeconds(25)).until(() -> graph.subscriptionExpiry(subscription).isAfter(reauthorized));
        assertThat(graph.activeSubscriptions(user)).containsExactly(subscription);
    }

    @Test
    void endsItsSubscriptionsWhenTheMailboxIsClosed() {
        String user = newUser("closed");
        UUID mailbox = subscribe(user);
        assertThat(graph.activeSubscriptions(user)).isNotEmpty();

        assertThat(api().post("/api/listeners/close", "[\"" + mailbox + "\"]").statusCode()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(10)).until(() -> graph.activeSubscriptions(user).isEmpty());
    }

    @Test
    void ignoresNotificationsWithoutThisServicesClientState() throws Exception {
        String user = newUser("forged");
        String inbox = graph.folderId(user, "inbox");
        UUID mailbox = subscribe(user, List.of(inbox));
        graph.dropNextNotification(user);
        graph.createMessage(user, inbox, mime(user, "Not announced", "<f1-" + user + ">"));
        String address = "/graph/notifications?mailbox=" + mailbox + "&folder="
                + URLEncoder.encode(inbox, StandardCharsets.UTF_8) + "&by=elsewhere.1";

        var forged = api().post(address, "{\"value\":[{\"subscriptionId\":\"" + onlySubscription(user)
                + "\",\"clientState\":\"guessed\",\"changeType\":\"created\",\"lifecycleEvent\":\"missed\"}]}");
        assertThat(forged.statusCode()).isEqualTo(202);
        Thread.sleep(QUIET);
        assertThat(emailsFor(user)).isEmpty();

        assertThat(api().post(address, "not json").statusCode()).isEqualTo(400);
        assertThat(api().post("/graph/notifications?mailbox=nope&folder=x&by=y.1", "{\"value\":[]}").statusCode())
                .isEqualTo(400);
        assertThat(api().post(address.replace("&by=elsewhere.1", ""), "{\"value\":[]}").statusCode()).isEqualTo(400);
    }

    @Test
    void answersGraphsValidationRequestWithItsToken() {
        var response = api().post("/graph/notifications?validationToken="
                + URLEncoder.encode("Validation: Testing client application reachability <&>", StandardCharsets.UTF_8),
                "");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        assertThat(response.body()).isEqualTo("Validation: Testing client application reachability <&>");
        // Graph wants the token back as it sent it (an encoded one fails validation); a browser led
        // here by a stranger's link must not read the reflected text as HTML.
        assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    }

    @Test
    void showsOperatorsThatGraphNotificationsServeTheMailbox() {
        String user = newUser("route");
        UUID mailbox = subscribe(user);

        var view = management().get("/operator/mailboxes/" + mailbox, "X-Api-Key", "operator-key");

        assertThat(view.statusCode()).isEqualTo(200);
        assertThat(view.body()).contains("\"route\":\"Microsoft Graph (change notifications)\"");
    }

    /** Registers the user's mailbox with the Inbox alone picked: one subscription. Returns the Inbox's id. */
    private String subscribeToTheInboxAlone(String user) {
        String inbox = graph.folderId(user, "inbox");
        subscribe(user, List.of(inbox));
        return inbox;
    }

    private static String onlySubscription(String user) {
        List<String> subscriptions = graph.activeSubscriptions(user);
        assertThat(subscriptions).hasSize(1);
        return subscriptions.getFirst();
    }
}
