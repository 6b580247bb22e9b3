package org.emaillistener.common.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.emaillistener.common.creatio.CreatioJson;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.testing.CreatioRequests;
import org.emaillistener.common.testing.FakeGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** The calls a watcher makes for many folders at once go in one {@code $batch}, throttling included. */
class GraphMailboxTest {

    private static final String TENANT = "3f2c0e58-0000-4000-8000-00000000ba7c";
    private static FakeGraph graph;
    private static GraphConnector connector;

    @BeforeAll
    static void start() throws Exception {
        graph = new FakeGraph();
        graph.addTenant(TENANT, "app", "s3cret");
        GraphProperties properties = new Binder(new MapConfigurationPropertySource(Map.of(
                "listener.graph.authority-host", graph.baseUrl(), "listener.graph.graph-url", graph.graphUrl(),
                "listener.graph.tenants[0].tenant-id", TENANT, "listener.graph.tenants[0].client-id", "app",
                "listener.graph.tenants[0].client-secret", "s3cret",
                "listener.graph.tenants[0].domains[0]", "contoso.example")))
                .bindOrCreate("listener.graph", GraphProperties.class);
        connector = new GraphConnector(properties, new GraphTls(FakeGraph.trustingContext()));
    }

    @AfterAll
    static void stop() {
        graph.close();
    }

    @Test
    void readsWellKnownFolderIdsInOneBatchLeavingOutThoseTheMailboxLacks() throws Exception {
        String user = user();
        int before = graph.requests().size();

        Map<String, String> ids = mailbox(user).wellKnownFolderIds(List.of("inbox", "drafts", "nosuchfolder"));

        assertThat(ids).containsExactly(Map.entry("inbox", graph.folderId(user, "inbox")),
                Map.entry("drafts", graph.folderId(user, "drafts")));
        assertThat(graph.requests().subList(before, graph.requests().size())).filteredOn(r -> !r.contains("/token"))
                .first().isEqualTo("POST /v1.0/$batch");
    }

    @Test
    void tellsWhichFoldersChangedAfterTheirDeltaLinksWaitingOutAThrottledMember() throws Exception {
        String user = user();
        GraphMailbox mailbox = mailbox(user);
        String inbox = graph.folderId(user, "inbox");
        String archive = graph.folderId(user, "archive");
        Map<String, String> links = Map.of("inbox", deltaLink(mailbox, inbox), "archive", deltaLink(mailbox, archive));
        assertThat(mailbox.changedSince(links)).isEmpty();

        graph.createMessage(user, archive, "Subject: hi\r\n\r\nhello\r\n".getBytes());
        graph.throttleNext("/delta", 429, Duration.ofSeconds(1));

        assertThat(mailbox.changedSince(links)).containsExactly("archive");
        graph.expireDeltaTokens();
        assertThat(mailbox.changedSince(links)).containsExactlyInAnyOrder("inbox", "archive");
    }

    private static String deltaLink(GraphMailbox mailbox, String folder) throws GraphException {
        GraphMailbox.DeltaPage page = mailbox.delta(folder, null, 50);
        while (page.more()) {
            page = mailbox.delta(folder, page.link(), 50);
        }
        return page.link();
    }

    private static String user() {
        String user = "ann-" + UUID.randomUUID() + "@contoso.example";
        graph.addUser(TENANT, user);
        return user;
    }

    private static GraphMailbox mailbox(String user) throws GraphException {
        SynchronizationCredentials credentials = CreatioJson.mapper().readValue(CreatioRequests.exchangeMailbox(
                UUID.randomUUID(), "https://outlook.office365.com/EWS/Exchange.asmx", user, "p",
                "http://creatio.example", List.of(), 0), SynchronizationCredentials.class);
        return connector.connect(credentials);
    }
}
