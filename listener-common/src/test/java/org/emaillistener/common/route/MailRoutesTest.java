package org.emaillistener.common.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.emaillistener.common.creatio.CreatioJson;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.graph.GraphConnector;
import org.emaillistener.common.graph.GraphProperties;
import org.emaillistener.common.graph.GraphTls;
import org.emaillistener.common.testing.CreatioRequests;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** Which mailboxes Graph serves, and what the mailbox's state says of the choice. */
class MailRoutesTest {

    private static final String ONLINE = "https://outlook.office365.com/EWS/Exchange.asmx";

    private final GraphConnector configuredGraph = connector(Map.of("listener.graph.tenants[0].tenant-id", "t1",
            "listener.graph.tenants[0].client-id", "app", "listener.graph.tenants[0].client-secret", "s",
            "listener.graph.tenants[0].domains[0]", "contoso.example"));
    private final MailRoutes configured = new MailRoutes(configuredGraph);

    @Test
    void servesAnExchangeOnlineMailboxOfAConfiguredTenantsDomain() {
        SynchronizationCredentials mailbox = exchange(ONLINE, "ann@Contoso.example");

        assertThat(configured.of(mailbox).protocol()).isEqualTo(MailProtocol.GRAPH);
        assertThat(configuredGraph.tenantOf(mailbox)).get().extracting(GraphProperties.Tenant::tenantId)
                .isEqualTo("t1");
        assertThat(configured.of(mailbox).description()).isEqualTo("Microsoft Graph (polling every 30 s)");
    }

    @Test
    void saysWithNotificationsThatGraphNotifies() {
        MailRoutes notified = new MailRoutes(connector(Map.of("listener.graph.tenants[0].tenant-id", "t1",
                "listener.graph.tenants[0].client-id", "app", "listener.graph.tenants[0].client-secret", "s",
                "listener.graph.tenants[0].domains[0]", "contoso.example",
                "listener.graph.notification-url", "https://listener.example/graph/notifications")));

        assertThat(notified.of(exchange(ONLINE, "ann@contoso.example")).description())
                .isEqualTo("Microsoft Graph (change notifications)");
    }

    @Test
    void leavesOnPremisesExchangeAndImapAsTheyWere() {
        MailRoute onPremises = configured.of(exchange("https://mail.contoso.example/EWS/Exchange.asmx",
                "ann@contoso.example"));
        assertThat(onPremises.protocol()).isEqualTo(MailProtocol.EWS);
        assertThat(onPremises.description()).isEqualTo("EWS");
        assertThat(configured.of(imap("ann@contoso.example")).description()).isEqualTo("IMAP");
        assertThat(configured.of(imap("ann@contoso.example")).protocol()).isEqualTo(MailProtocol.IMAP);
    }

    @Test
    void saysWhyAnExchangeOnlineMailboxStaysOnEws() {
        MailRoute otherDomain = configured.of(exchange(ONLINE, "bob@fabrikam.example"));
        assertThat(otherDomain.protocol()).isEqualTo(MailProtocol.EWS);
        assertThat(otherDomain.description())
                .isEqualTo("EWS (Exchange Online, but no Microsoft Graph tenant is configured for fabrikam.example)");
        assertThat(new MailRoutes(connector(Map.of())).of(exchange(ONLINE, "ann@contoso.example")).description())
                .isEqualTo("EWS (Exchange Online, but Microsoft Graph is not configured)");
    }

    private static GraphConnector connector(Map<String, String> settings) {
        GraphProperties properties = new Binder(new MapConfigurationPropertySource(settings))
                .bindOrCreate("listener.graph", GraphProperties.class);
        return new GraphConnector(properties, GraphTls.jdkDefault());
    }

    private static SynchronizationCredentials exchange(String url, String user) {
        return read(CreatioRequests.exchangeMailbox(UUID.randomUUID(), url, user, "p", "http://creatio.example",
                List.of(), 0));
    }

    private static SynchronizationCredentials imap(String user) {
        return read(CreatioRequests.imapMailbox(UUID.randomUUID(), "imap.contoso.example", 993, user, "p",
                "http://creatio.example", List.of()));
    }

    private static SynchronizationCredentials read(String json) {
        return CreatioJson.mapper().readValue(json, SynchronizationCredentials.class);
    }
}
