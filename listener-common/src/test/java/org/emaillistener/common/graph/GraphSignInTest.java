package org.emaillistener.common.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
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

/**
 * A caller is served for a Graph mailbox only with its user's Microsoft 365 sign-in: Creatio's
 * delegated token, checked against the keys the fake Entra publishes for the tenant. Each refusal is
 * an attack a stranger who can reach the API could try with the tokens they can get.
 */
class GraphSignInTest {

    private static final String TENANT = "3f6b2c10-0000-4000-8000-0000000051a1";
    private static final String OTHER_TENANT = "9e0d7a44-0000-4000-8000-00000000bad0";
    private static final String ONLINE = "https://outlook.office365.com/EWS/Exchange.asmx";
    private static final String CEO = "ceo@contoso.example";

    static FakeGraph graph;
    static GraphConnector connector;

    @BeforeAll
    static void startGraph() throws Exception {
        graph = new FakeGraph();
        graph.addTenant(TENANT, "app", "s3cret");
        graph.addTenant(OTHER_TENANT, "mallory-app", "m");
        connector = connector(Map.of());
    }

    @AfterAll
    static void stopGraph() {
        graph.close();
    }

    @Test
    void servesTheSignedInUserOfTheMailbox() {
        assertThatCode(() -> connector.connectAsItsUser(mailbox(CEO, graph.signIn(TENANT, "CEO@Contoso.example"))))
                .doesNotThrowAnyException();
        assertThatCode(() -> connector.verifySubscriber(mailbox(CEO, graph.signIn(TENANT, CEO)), "creatio.example"))
                .doesNotThrowAnyException();
    }

    @Test
    void refusesAPasswordOrNoTokenAtAll() {
        SynchronizationCredentials password = read(CreatioRequests.exchangeMailbox(UUID.randomUUID(), ONLINE, CEO,
                "guessed", "https://creatio.example/0/ServiceModel/ExchangeListenerService.svc/ProcessFullEmail",
                List.of(), 0));

        assertThatThrownBy(() -> connector.connectAsItsUser(password)).isInstanceOf(GraphSignInException.class)
                .hasMessageContaining("Microsoft 365 sign-in (OAuth)");
        assertThatThrownBy(() -> connector.connectAsItsUser(mailbox(CEO, "not-a-jwt")))
                .isInstanceOf(GraphSignInException.class).hasMessage("AccessToken is not a signed Microsoft Entra access token");
    }

    @Test
    void refusesTheCallersOwnSignInForAnotherMailbox() {
        String mallorysToken = graph.signIn(TENANT, "mallory@contoso.example");

        assertThatThrownBy(() -> connector.connectAsItsUser(mailbox(CEO, mallorysToken)))
                .isInstanceOf(GraphSignInException.class)
                .hasMessage("AccessToken was issued to another user than " + CEO);
    }

    @Test
    void refusesASignInOfAnotherTenantThoughEntraSignedItWithTheSameKey() {
        // Mallory's own tenant, where she named a user ceo@contoso.example: Entra signs it with its shared key.
        String foreign = graph.signIn(OTHER_TENANT, CEO);

        assertThatThrownBy(() -> connector.connectAsItsUser(mailbox(CEO, foreign)))
                .isInstanceOf(GraphSignInException.class)
                .hasMessage("AccessToken was not issued by the tenant " + TENANT + ", which serves " + CEO);
    }

    @Test
    void refusesATokenForgedWithAnotherKeyOrUnsigned() throws Exception {
        PrivateKey mallorysKey = KeyPairGenerator.getInstance("RSA").generateKeyPair().getPrivate();
        String forged = graph.signedJwt(Map.of("typ", "JWT", "alg", "RS256", "kid", graph.signingKeyId()),
                claims(CEO, TENANT), mallorysKey);
        String unknownKey = graph.signedJwt(Map.of("typ", "JWT", "alg", "RS256", "kid", "no-such-key"),
                claims(CEO, TENANT), mallorysKey);
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String unsigned = b64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(CreatioJson.mapper().writeValueAsBytes(claims(CEO, TENANT))) + ".";

        for (String token : List.of(forged, unknownKey)) {
            assertThatThrownBy(() -> connector.connectAsItsUser(mailbox(CEO, token)))
                    .isInstanceOf(GraphSignInException.class).hasMessage("AccessToken is not signed by Microsoft Entra");
        }
        assertThatThrownBy(() -> connector.connectAsItsUser(mailbox(CEO, unsigned)))
                .isInstanceOf(GraphSignInException.class);
    }

    @Test
    void refusesAnExpiredSignIn() {
        String expired = graph.signIn(TENANT, CEO, Duration.ofMinutes(-10));

        assertThatThrownBy(() -> connector.connectAsItsUser(mailbox(CEO, expired)))
                .isInstanceOf(GraphSignInException.class).hasMessage("AccessToken has expired: Creatio signs in again");
    }

    @Test
    void refusesATokenWhoseSignatureOnlyGraphCanCheckUnlessTheOperatorReliesOnTheBasePath() throws Exception {
        // Graph's own tokens carry a nonce header that makes their signature unverifiable outside Graph:
        // anyone can write one, so by default it is refused.
        Map<String, Object> header = Map.of("typ", "JWT", "alg", "RS256", "kid", graph.signingKeyId(), "nonce", "n0");
        PrivateKey anyKey = KeyPairGenerator.getInstance("RSA").generateKeyPair().getPrivate();
        String graphToken = graph.signedJwt(header, claims(CEO, TENANT), anyKey);

        assertThatThrownBy(() -> connector.connectAsItsUser(mailbox(CEO, graphToken)))
                .isInstanceOf(GraphSignInException.class).hasMessageContaining("only Graph can check");
        GraphConnector claimsOnly = connector(Map.of("listener.graph.require-verified-sign-in", "false"));
        assertThatCode(() -> claimsOnly.connectAsItsUser(mailbox(CEO, graphToken))).doesNotThrowAnyException();
    }

    @Test
    void deliversATenantsMailOnlyToTheCreatioHostsNamedForIt() {
        assertThatThrownBy(() -> connector.verifySubscriber(mailbox(CEO, graph.signIn(TENANT, CEO)), "evil.example"))
                .isInstanceOf(GraphSignInException.class)
                .hasMessageContaining("BpmEndpoint's host evil.example is not a Creatio host named for");
    }

    private static Map<String, Object> claims(String user, String tenant) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("aud", "https://outlook.office365.com");
        claims.put("iss", "https://sts.windows.net/" + tenant + "/");
        claims.put("exp", Instant.now().plusSeconds(3600).getEpochSecond());
        claims.put("tid", tenant);
        claims.put("upn", user);
        return claims;
    }

    private static GraphConnector connector(Map<String, String> more) {
        Map<String, String> settings = new HashMap<>(Map.of("listener.graph.authority-host", graph.baseUrl(),
                "listener.graph.graph-url", graph.graphUrl(), "listener.graph.tenants[0].tenant-id", TENANT,
                "listener.graph.tenants[0].client-id", "app", "listener.graph.tenants[0].client-secret", "s3cret",
                "listener.graph.tenants[0].domains[0]", "contoso.example",
                "listener.graph.tenants[0].creatio-hosts[0]", "creatio.example"));
        settings.putAll(more);
        GraphProperties properties = new Binder(new MapConfigurationPropertySource(settings))
                .bindOrCreate("listener.graph", GraphProperties.class);
        return new GraphConnector(properties, new GraphTls(FakeGraph.trustingContext()));
    }

    private static SynchronizationCredentials mailbox(String user, String accessToken) {
        return read(CreatioRequests.withOAuth(CreatioRequests.exchangeMailbox(UUID.randomUUID(), ONLINE, user, null,
                "https://creatio.example/0/ServiceModel/ExchangeListenerService.svc/ProcessFullEmail", List.of(), 0),
                accessToken));
    }

    private static SynchronizationCredentials read(String json) {
        return CreatioJson.mapper().readValue(json, SynchronizationCredentials.class);
    }
}
