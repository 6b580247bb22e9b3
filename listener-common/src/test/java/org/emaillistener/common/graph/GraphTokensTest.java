package org.emaillistener.common.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.emaillistener.common.testing.FakeGraph;
import org.emaillistener.common.testing.TestCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * Tokens for app registrations that prove themselves with a certificate, from the files operators
 * mount, against the fake Microsoft Entra; one token request per tenant while its token is fresh
 * (the fake's address has a port, which msal4j's own cache does not find again); and the
 * one-credential rule of {@code listener.graph.tenants}.
 */
class GraphTokensTest {

    private static final String TENANT = "11111111-2222-3333-4444-555555555555";
    private static final String CLIENT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    private static final String SECRET = "s3cr3t~value";

    private final TestCertificate registered = TestCertificate.registered();
    private final TestCertificate unregistered = TestCertificate.unregistered();
    @TempDir
    Path mounted;
    private FakeGraph graph;

    @BeforeEach
    void setUp() throws Exception {
        graph = new FakeGraph();
        graph.addTenantWithCertificate(TENANT, CLIENT, registered.certificate());
    }

    @AfterEach
    void tearDown() {
        graph.close();
    }

    @ParameterizedTest
    @ValueSource(strings = { "pkcs12", "pem", "tls-secret" })
    void aCertificateRegistrationGetsATokenFromTheFilesOperatorsMount(String mount) throws Exception {
        Map<String, String> credential = switch (mount) {
            case "pkcs12" -> Map.of("certificate-path", registered.pkcs12().toString(), "certificate-password",
                    registered.password());
            case "pem" -> Map.of("certificate-path", registered.pem(mounted.resolve("app.pem")).toString());
            default -> Map.of("certificate-path", registered.tlsCrt(mounted.resolve("tls.crt")).toString(),
                    "certificate-key-path", registered.tlsKey(mounted.resolve("tls.key")).toString());
        };
        GraphProperties properties = bind(credential);

        String token = new GraphTokens(properties, tls()).token(properties.tenants().getFirst());

        assertThat(token).isNotBlank();
    }

    @Test
    void aTokenIsFetchedOnceAndKeptWhileFresh() throws Exception {
        SecretRegistration registration = secretRegistration();

        String first = registration.token();

        assertThat(registration.token()).isEqualTo(first);
        assertThat(tokenRequests()).isEqualTo(1);
    }

    @Test
    void aTokenWithinFiveMinutesOfItsExpiryIsFetchedAgain() throws Exception {
        graph.setTokenLifetime(Duration.ofMinutes(4));
        SecretRegistration registration = secretRegistration();

        registration.token();
        registration.token();

        assertThat(tokenRequests()).isEqualTo(2);
    }

    @Test
    void manyCallersAtOnceShareOneTokenRequest() throws Exception {
        SecretRegistration registration = secretRegistration();
        List<Future<String>> calls = new ArrayList<>();

        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 200; i++) {
                calls.add(callers.submit(registration::token));
            }
        }

        assertThat(calls.stream().map(Future::resultNow).distinct()).hasSize(1);
        assertThat(tokenRequests()).isEqualTo(1);
    }

    @Test
    void aCertificateTheRegistrationDoesNotHaveIsRefusedNamingItsThumbprint() {
        GraphProperties properties = bind(Map.of("certificate-path", unregistered.pkcs12().toString(),
                "certificate-password", unregistered.password()));
        GraphTokens tokens = new GraphTokens(properties, tls());

        assertThatThrownBy(() -> tokens.token(properties.tenants().getFirst()))
                .isInstanceOf(GraphException.class)
                .hasMessageContaining("Microsoft Entra gave no token for tenant " + TENANT)
                .hasMessageContaining("certificate thumbprint " + unregistered.thumbprint())
                .hasMessageContaining("AADSTS700027");
    }

    @Test
    void aCertificateThatCannotBeReadStopsTheStartWithoutShowingItsPassword() {
        GraphProperties properties = bind(Map.of("certificate-path", registered.pkcs12().toString(),
                "certificate-password", "wrong-password"));

        assertThatThrownBy(() -> new GraphTokens(properties, tls()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("tenant " + TENANT)
                .hasMessageContaining(registered.pkcs12().toString())
                .hasMessageContaining("password was incorrect")
                .hasMessageNotContaining("wrong-password");
    }

    @Test
    void aPrivateKeyThatIsNotTheCertificatesStopsTheStart() throws Exception {
        GraphProperties properties = bind(Map.of(
                "certificate-path", registered.tlsCrt(mounted.resolve("mixed.crt")).toString(),
                "certificate-key-path", unregistered.tlsKey(mounted.resolve("mixed.key")).toString()));

        assertThatThrownBy(() -> new GraphTokens(properties, tls()))
                .hasMessageContaining("is the private key's");
    }

    /** PKCS#8 as openssl pkcs8 -topk8 writes it, and PKCS#1 as openssl rsa -aes256 -traditional does. */
    @ParameterizedTest
    @ValueSource(strings = {
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFLTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\n",
            "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,0123456789ABCDEF0123456789ABCDEF\n\n"
                    + "MIIFLTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n-----END RSA PRIVATE KEY-----\n" })
    void anEncryptedPemKeyStopsTheStartSayingWhatToGiveInstead(String key) throws Exception {
        GraphProperties properties = bind(Map.of(
                "certificate-path", registered.tlsCrt(mounted.resolve("tls.crt")).toString(),
                "certificate-key-path", Files.writeString(mounted.resolve("tls.key"), key).toString()));

        assertThatThrownBy(() -> new GraphTokens(properties, tls()))
                .hasMessageContaining("is encrypted: give it unencrypted");
    }

    @Test
    void aTenantWithBothASecretAndACertificateIsRefusedAtBinding() {
        assertThatThrownBy(() -> bind(Map.of("client-secret", SECRET, "certificate-path", "/etc/graph/app.pem")))
                .isInstanceOf(BindException.class)
                .rootCause()
                .hasMessageContaining("Graph tenant " + TENANT)
                .hasMessageContaining("both a client-secret and a certificate-path")
                .hasMessageNotContaining(SECRET);
    }

    @Test
    void aTenantWithoutACredentialIsRefusedAtBinding() {
        assertThatThrownBy(() -> bind(Map.of("client-secret", " ")))
                .isInstanceOf(BindException.class)
                .rootCause()
                .hasMessageContaining("has no credential: give a client-secret or a certificate-path");
    }

    @Test
    void aTenantPrintsNeitherItsSecretNorItsCertificatePassword() {
        String withSecret = bind(Map.of("client-secret", SECRET)).tenants().getFirst().toString();
        String withCertificate = bind(Map.of("certificate-path", "/etc/graph/app.p12", "certificate-password",
                "p12-password")).tenants().getFirst().toString();

        assertThat(withSecret).contains(TENANT, CLIENT, "client secret").doesNotContain(SECRET);
        assertThat(withCertificate).contains("certificate /etc/graph/app.p12").doesNotContain("p12-password");
    }

    /** {@code listener.graph} as Spring binds it, with one tenant of the given credential. */
    private GraphProperties bind(Map<String, String> credential) {
        Map<String, String> source = new HashMap<>();
        source.put("listener.graph.authority-host", graph.baseUrl());
        source.put("listener.graph.tenants[0].tenant-id", TENANT);
        source.put("listener.graph.tenants[0].client-id", CLIENT);
        source.put("listener.graph.tenants[0].domains", "contoso.example");
        credential.forEach((name, value) -> source.put("listener.graph.tenants[0]." + name, value));
        return new Binder(new MapConfigurationPropertySource(source)).bind("listener.graph", GraphProperties.class)
                .get();
    }

    /** The tokens of an app registration with a client secret, registered with the fake Entra. */
    private record SecretRegistration(GraphTokens tokens, GraphProperties.Tenant tenant) {

        String token() throws GraphException {
            return tokens.token(tenant);
        }
    }

    private SecretRegistration secretRegistration() {
        graph.addTenant(TENANT, "secret-app", SECRET);
        GraphProperties properties = bind(Map.of("client-id", "secret-app", "client-secret", SECRET));
        return new SecretRegistration(new GraphTokens(properties, tls()), properties.tenants().getFirst());
    }

    private long tokenRequests() {
        return graph.requests().stream().filter(request -> request.endsWith("/oauth2/v2.0/token")).count();
    }

    private static GraphTls tls() {
        return new GraphTls(FakeGraph.trustingContext());
    }
}
