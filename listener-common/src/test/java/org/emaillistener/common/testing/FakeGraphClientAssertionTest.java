package org.emaillistener.common.testing;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link FakeGraph}'s token endpoint for app registrations with a certificate: the client assertion
 * msal4j signs is accepted, and what Microsoft Entra refuses is refused with Entra's AADSTS code.
 */
class FakeGraphClientAssertionTest {

    private static final String TENANT = "11111111-2222-3333-4444-555555555555";
    private static final String CLIENT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    private static final String USER = "anna@contoso.example";

    private final TestCertificate registered = TestCertificate.registered();
    private final TestCertificate unregistered = TestCertificate.unregistered();
    private final JsonMapper json = JsonMapper.builder().build();
    private FakeGraph graph;
    private HttpClient http;

    @BeforeEach
    void setUp() throws Exception {
        graph = new FakeGraph();
        graph.addTenantWithCertificate(TENANT, CLIENT, registered.certificate());
        graph.addUser(TENANT, USER);
        http = HttpClient.newBuilder().sslContext(FakeGraph.trustingContext()).build();
    }

    @AfterEach
    void tearDown() {
        graph.close();
        http.close();
    }

    @Test
    void msalSignsInWithTheRegisteredCertificate() throws Exception {
        ConfidentialClientApplication app = ConfidentialClientApplication
                .builder(CLIENT, ClientCredentialFactory.createFromCertificate(registered.key(), registered.certificate()))
                .authority(graph.authorityUrl(TENANT))
                .validateAuthority(false)
                .instanceDiscovery(false)
                .sslSocketFactory(FakeGraph.trustingContext().getSocketFactory())
                .build();
        String token = app.acquireToken(ClientCredentialParameters
                .builder(Set.of("https://graph.microsoft.com/.default")).build()).get(30, SECONDS).accessToken();

        HttpResponse<String> inbox = http.send(HttpRequest.newBuilder(URI.create(graph.graphUrl() + "/users/" + USER
                + "/mailFolders/inbox")).header("Authorization", "Bearer " + token).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(inbox.statusCode()).isEqualTo(200);
    }

    @Test
    void anExpiredAssertionIsRefused() throws Exception {
        JsonNode refusal = requestToken(registered.clientAssertion(claims(graph.tokenUrl(TENANT), CLIENT,
                Instant.now().minus(Duration.ofMinutes(1)))));

        assertThat(refusal.path("error_codes").get(0).asInt()).isEqualTo(700024);
    }

    @Test
    void anAssertionForAnotherAudienceOrClientIsRefused() throws Exception {
        Instant expires = Instant.now().plus(Duration.ofMinutes(10));

        assertThat(requestToken(registered.clientAssertion(claims("https://login.example/token", CLIENT, expires)))
                .path("error_codes").get(0).asInt()).isEqualTo(700023);
        assertThat(requestToken(registered.clientAssertion(claims(graph.tokenUrl(TENANT), "someone-else", expires)))
                .path("error_codes").get(0).asInt()).isEqualTo(700021);
    }

    @Test
    void anAssertionNotSignedWithTheCertificatesKeyIsRefused() throws Exception {
        JsonNode refusal = requestToken(registered.withKeyOf(unregistered).clientAssertion(claims(graph.tokenUrl(TENANT),
                CLIENT, Instant.now().plus(Duration.ofMinutes(10)))));

        assertThat(refusal.path("error").asString()).isEqualTo("invalid_client");
        assertThat(refusal.path("error_description").asString())
                .startsWith("AADSTS700027: Client assertion failed signature validation.");
    }

    @Test
    void aCertificateTheRegistrationDoesNotHaveIsRefusedNamingItsThumbprint() throws Exception {
        JsonNode refusal = requestToken(unregistered.clientAssertion(claims(graph.tokenUrl(TENANT), CLIENT,
                Instant.now().plus(Duration.ofMinutes(10)))));

        assertThat(refusal.path("error_codes").get(0).asInt()).isEqualTo(700027);
        assertThat(refusal.path("error_description").asString()).contains("is not registered on application");
    }

    /** Posts a client-credentials request with the assertion; returns Entra's JSON, of a refusal if not 200. */
    private JsonNode requestToken(String assertion) throws Exception {
        String form = "grant_type=client_credentials&client_id=" + CLIENT
                + "&scope=" + URLEncoder.encode("https://graph.microsoft.com/.default", StandardCharsets.UTF_8)
                + "&client_assertion_type=" + URLEncoder.encode(
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", StandardCharsets.UTF_8)
                + "&client_assertion=" + assertion;
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(graph.tokenUrl(TENANT)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isIn(400, 401);
        return json.readTree(response.body());
    }

    private static Map<String, Object> claims(String audience, String client, Instant expires) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("aud", audience);
        claims.put("iss", client);
        claims.put("sub", client);
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("nbf", Instant.now().getEpochSecond());
        claims.put("exp", expires.getEpochSecond());
        return claims;
    }
}
