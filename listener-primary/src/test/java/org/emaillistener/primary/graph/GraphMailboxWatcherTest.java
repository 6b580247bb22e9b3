package org.emaillistener.primary.graph;

import org.emaillistener.common.crypto.EncryptionProperties;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.emaillistener.common.creatio.CreatioJson;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.graph.GraphConnector;
import org.emaillistener.common.graph.GraphProperties;
import org.emaillistener.common.graph.GraphTls;
import org.emaillistener.common.memory.InMemoryCursors;
import org.emaillistener.common.registry.RegisteredMailbox;
import org.emaillistener.common.testing.CreatioRequests;
import org.emaillistener.common.testing.FakeGraph;
import org.emaillistener.primary.ownership.OwnershipProperties;
import org.emaillistener.primary.ownership.ReplicaIdentity;
import org.emaillistener.primary.subscription.RecordingEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import com.sun.net.httpserver.HttpServer;

/**
 * A Graph watcher's subscriptions: one per folder while the notification address answers Graph's
 * validation, renewed and ended with the watcher; polling while Graph refuses them.
 */
class GraphMailboxWatcherTest {

    private static final String TENANT = "0b7e55a1-0000-4000-8000-00000000f00d";

    private FakeGraph graph;
    private HttpServer notifications;
    private GraphMailboxWatcher watcher;
    private final RecordingEvents events = new RecordingEvents();
    private final AtomicInteger listening = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        graph = new FakeGraph();
        graph.addTenant(TENANT, "app", "s3cret");
        // Answers Graph's validation requests, as GraphNotificationsController does.
        notifications = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        notifications.createContext("/graph/notifications", exchange -> {
            String query = exchange.getRequestURI().getRawQuery();
            String token = query == null || !query.contains("validationToken=") ? ""
                    : URLDecoder.decode(query.substring(query.indexOf("validationToken=") + 16), StandardCharsets.UTF_8);
            byte[] body = token.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain");
            exchange.sendResponseHeaders(token.isEmpty() ? 202 : 200, token.isEmpty() ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        notifications.start();
    }

    @AfterEach
    void stop() {
        if (watcher != null) {
            watcher.stop();
        }
        notifications.stop(0);
        graph.close();
    }

    @Test
    void subscribesEachFolderRenewsAtHalfLifeAndEndsTheSubscriptionsWhenStopped() {
        String user = user();
        String projects = graph.addFolder(user, graph.folderId(user, "inbox"), "Projects");
        watch(user, "http://127.0.0.1:" + notifications.getAddress().getPort() + "/graph/notifications",
                List.of(graph.folderId(user, "inbox"), projects));

        await().atMost(Duration.ofSeconds(10)).until(() -> !events.listening.isEmpty());
        List<String> subscriptions = graph.activeSubscriptions(user);
        assertThat(subscriptions).hasSize(2);
        Instant firstExpiry = graph.subscriptionExpiry(subscriptions.getFirst());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> graph.subscriptionExpiry(subscriptions.getFirst()).isAfter(firstExpiry));
        assertThat(graph.activeSubscriptions(user)).containsExactlyInAnyOrderElementsOf(subscriptions);
        assertThat(events.newMail).isEmpty();

        watcher.stop();

        await().atMost(Duration.ofSeconds(10)).until(() -> graph.activeSubscriptions(user).isEmpty());
        assertThat(events.failures).isEmpty();
    }

    @Test
    void countsAsListeningOnceSubscribedUntilStopped() {
        String user = user();
        watch(user, "http://127.0.0.1:" + notifications.getAddress().getPort() + "/graph/notifications",
                List.of(graph.folderId(user, "inbox")));

        await().atMost(Duration.ofSeconds(10)).until(() -> listening.get() == 1);
        assertThat(graph.activeSubscriptions(user)).hasSize(1);

        watcher.stop();

        await().atMost(Duration.ofSeconds(10)).until(() -> listening.get() == 0);
    }

    @Test
    void pollsWhileGraphRefusesTheSubscriptions() throws IOException {
        String user = user();
        String inbox = graph.folderId(user, "inbox");
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        watch(user, "http://127.0.0.1:" + closed + "/graph/notifications", List.of(inbox));

        await().atMost(Duration.ofSeconds(10)).until(() -> events.newMail.contains(inbox));
        assertThat(events.listening).containsExactly(List.of(inbox));
        assertThat(graph.activeSubscriptions(user)).isEmpty();
        assertThat(events.failures).isEmpty();
    }

    private String user() {
        String user = "ann-" + UUID.randomUUID() + "@contoso.example";
        graph.addUser(TENANT, user);
        return user;
    }

    private void watch(String user, String notificationUrl, List<String> folders) {
        Map<String, String> settings = new HashMap<>(Map.of("listener.graph.authority-host", graph.baseUrl(),
                "listener.graph.graph-url", graph.graphUrl(), "listener.graph.tenants[0].tenant-id", TENANT,
                "listener.graph.tenants[0].client-id", "app", "listener.graph.tenants[0].client-secret", "s3cret",
                "listener.graph.tenants[0].domains[0]", "contoso.example", "listener.graph.poll-interval", "200ms",
                "listener.graph.subscription-lifetime", "6s", "listener.graph.notification-url", notificationUrl));
        GraphProperties properties = new Binder(new MapConfigurationPropertySource(settings))
                .bindOrCreate("listener.graph", GraphProperties.class);
        SynchronizationCredentials credentials = CreatioJson.mapper().readValue(CreatioRequests.exchangeMailbox(
                UUID.randomUUID(), "https://outlook.office365.com/EWS/Exchange.asmx", user, "p",
                "http://creatio.example", folders, 0), SynchronizationCredentials.class);
        watcher = new GraphMailboxWatcher(new RegisteredMailbox(credentials, Instant.now()), events,
                new GraphConnector(properties, new GraphTls(FakeGraph.trustingContext())), new InMemoryCursors(),
                new GraphClientState(properties, new EncryptionProperties(null, null, false), new ReplicaIdentity(new OwnershipProperties("test", 1, Duration.ofSeconds(15), Duration.ofSeconds(3), 1, 0))),
                listening);
        watcher.start();
    }
}
