package org.emaillistener.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.UUID;

import org.emaillistener.common.testing.CreatioRequests;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * A Microsoft Graph tenant acts as any mailbox of its domains, so its API must be Creatio's alone: behind
 * a secret base path (Creatio keeps whatever path its ExchangeListenerServiceUri has), which a
 * stranger who can reach the port cannot guess; without one (and without the operator's explicit
 * word) the service does not start.
 */
@SpringBootTest(classes = StandaloneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { ApiBasePathEndToEndTest.TENANT_ID, ApiBasePathEndToEndTest.CLIENT_ID,
                ApiBasePathEndToEndTest.CLIENT_SECRET, ApiBasePathEndToEndTest.DOMAIN,
                ApiBasePathEndToEndTest.CREATIO_HOSTS, ApiBasePathEndToEndTest.NOWHERE_AUTHORITY, ApiBasePathEndToEndTest.NOWHERE_GRAPH,
                "listener.api.base-path=/k7Qx9dW2", "listener.api.max-body-size=64KB" })
class ApiBasePathEndToEndTest extends EndToEndTest {

    static final String TENANT_ID = "listener.graph.tenants[0].tenant-id=7d3c1a52-0000-4000-8000-00000000c0de";
    static final String CLIENT_ID = "listener.graph.tenants[0].client-id=listener-app";
    static final String CLIENT_SECRET = "listener.graph.tenants[0].client-secret=app-secret";
    static final String DOMAIN = "listener.graph.tenants[0].domains[0]=contoso.example";
    static final String CREATIO_HOSTS = "listener.graph.tenants[0].creatio-hosts[0]=127.0.0.1";
    /** Nothing here needs Graph to answer; nothing may leave the machine either. */
    static final String NOWHERE_AUTHORITY = "listener.graph.authority-host=https://127.0.0.1:9";
    static final String NOWHERE_GRAPH = "listener.graph.graph-url=https://127.0.0.1:9/v1.0";

    @Test
    void servesTheApiOnlyBehindTheSecretPath() {
        assertThat(api().get("/api/listeners/status").statusCode()).isEqualTo(404);
        assertThat(api().get("/apiv2/email/send").statusCode()).isEqualTo(404);
        assertThat(api().get("/guess/api/listeners/status").statusCode()).isEqualTo(404);
        assertThat(api().get("/k7Qx9dW3/api/listeners/status").statusCode()).isEqualTo(404);
        var status = api().get("/k7Qx9dW2/api/listeners/status");
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(status.body()).contains("\"ServiceStatus\":\"Started\"");
        assertThat(management().get("/actuator/health/liveness").statusCode()).isEqualTo(200);
        // The actuator is on its own port: neither under the secret path nor beside it.
        assertThat(api().get("/actuator/health/liveness").statusCode()).isEqualTo(404);
        assertThat(api().get("/k7Qx9dW2/actuator/health/liveness").statusCode()).isEqualTo(404);
    }

    @Test
    void aStrangerCannotReachTheApiAndCreatioStillNeedsTheUsersSignInForAGraphMailbox() {
        String graphMailbox = CreatioRequests.array(CreatioRequests.exchangeMailbox(UUID.randomUUID(),
                "https://outlook.office365.com/EWS/Exchange.asmx", "ceo@contoso.example", "unused", creatio.bpmEndpoint(),
                List.of(), 0));

        assertThat(api().post("/api/listeners/create", graphMailbox).statusCode()).isEqualTo(404);
        var created = api().post("/k7Qx9dW2/api/listeners/create", graphMailbox);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(403);
        assertThat(created.body()).contains("Microsoft 365 sign-in (OAuth)");
        assertThat(api().post("/k7Qx9dW2/api/listeners/create", "[" + "\"x\",".repeat(40_000) + "\"x\"]")
                .statusCode()).isEqualTo(400);
    }

    @Test
    void refusesToStartWithAGraphTenantAndNeitherABasePathNorTheOperatorsWord() {
        SpringApplicationBuilder unprotected = new SpringApplicationBuilder(StandaloneApplication.class)
                .properties("server.port=0", TENANT_ID, CLIENT_ID, CLIENT_SECRET, DOMAIN, CREATIO_HOSTS,
                        NOWHERE_AUTHORITY, NOWHERE_GRAPH);

        assertThatThrownBy(unprotected::run).rootCause().hasMessageContaining("listener.api.base-path")
                .hasMessageContaining("listener.api.allow-graph-without-base-path");
    }

    @Test
    void refusesToStartWithAGraphTenantThatNamesNoCreatioHosts() {
        SpringApplicationBuilder anywhere = new SpringApplicationBuilder(StandaloneApplication.class)
                .properties("server.port=0", TENANT_ID, CLIENT_ID, CLIENT_SECRET, DOMAIN, NOWHERE_AUTHORITY,
                        NOWHERE_GRAPH, "listener.api.base-path=/k7Qx9dW2");

        assertThatThrownBy(anywhere::run).rootCause().hasMessageContaining("names no creatio-hosts")
                .hasMessageContaining("listener.graph.tenants[].creatio-hosts");
    }
}
