package org.emaillistener.common.graph;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;

import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.IClientCredential;

/**
 * App-only Graph tokens (client credentials) per tenant, from msal4j: one client application per
 * tenant. Each tenant's token is kept here and served until 5 minutes before it expires (msal4j's own
 * margin), then fetched again by one caller while the others wait for it, so a call never carries a
 * token about to expire and Entra sees one token request per tenant and token lifetime. msal4j's own
 * cache is not relied on: it never finds an app token again when the authority's address has a port
 * (msal4j 1.26 stores the token under the host and looks it up under host and port), which made
 * every Graph call a token request; and each lookup is a task on the JVM's common pool. A
 * registration proves itself with its client secret or with a certificate (msal4j then signs a client
 * assertion); certificates are read at start, so one that cannot be used stops the start rather than
 * every sync of the tenant's mailboxes.
 */
class GraphTokens {

    private static final Set<String> SCOPES = Set.of("https://graph.microsoft.com/.default");
    private static final String GLOBAL_AUTHORITY = "login.microsoftonline.com";
    /** How long before its expiry a token is fetched again, as msal4j's cache does. */
    private static final Duration REFRESH_MARGIN = Duration.ofMinutes(5);

    private final GraphProperties properties;
    private final GraphTls tls;
    private final Map<String, ConfidentialClientApplication> applications = new ConcurrentHashMap<>();
    private final Map<String, CertificateCredential> certificates = new ConcurrentHashMap<>();
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final Map<String, ReentrantLock> fetching = new ConcurrentHashMap<>();

    /** A tenant's token, and until when it is served. */
    private record Token(String accessToken, Instant servedUntil) {

        boolean fresh() {
            return Instant.now().isBefore(servedUntil);
        }
    }

    public GraphTokens(GraphProperties properties, GraphTls tls) {
        this.properties = properties;
        this.tls = tls;
        properties.tenants().stream().filter(GraphProperties.Tenant::usesCertificate).forEach(this::certificate);
    }

    /** An access token for the tenant's Graph: the one kept while it is fresh, else a new one. */
    public String token(GraphProperties.Tenant tenant) throws GraphException {
        String key = key(tenant);
        Token token = tokens.get(key);
        if (token != null && token.fresh()) {
            return token.accessToken();
        }
        ReentrantLock lock = fetching.computeIfAbsent(key, k -> new ReentrantLock());
        lock.lock();
        try {
            token = tokens.get(key);
            if (token == null || !token.fresh()) {
                token = fetch(tenant);
                tokens.put(key, token);
            }
            return token.accessToken();
        } finally {
            lock.unlock();
        }
    }

    private Token fetch(GraphProperties.Tenant tenant) throws GraphException {
        try {
            IAuthenticationResult result = application(tenant)
                    .acquireToken(ClientCredentialParameters.builder(SCOPES).build()).get();
            return new Token(result.accessToken(), result.expiresOnDate().toInstant().minus(REFRESH_MARGIN));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GraphException("Interrupted while getting a Graph token", 0, null, e);
        } catch (ExecutionException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new GraphException("Microsoft Entra gave no token for tenant " + tenant.tenantId() + " (client "
                    + tenant.clientId() + credentialName(tenant) + "): " + cause.getMessage(), 0, null, cause);
        }
    }

    private ConfidentialClientApplication application(GraphProperties.Tenant tenant) throws GraphException {
        try {
            return applications.computeIfAbsent(key(tenant), key -> build(tenant));
        } catch (IllegalStateException e) {
            throw new GraphException(e.getMessage(), 0, null, e.getCause());
        }
    }

    private ConfidentialClientApplication build(GraphProperties.Tenant tenant) {
        String host = properties.authorityHost().replaceAll("/+$", "");
        try {
            IClientCredential credential = tenant.usesCertificate() ? certificate(tenant).asMsal()
                    : ClientCredentialFactory.createFromSecret(tenant.clientSecret());
            var builder = ConfidentialClientApplication.builder(tenant.clientId(), credential)
                    .authority(host + "/" + tenant.tenantId() + "/")
                    .sslSocketFactory(tls.context().getSocketFactory());
            if (!GLOBAL_AUTHORITY.equalsIgnoreCase(URI.create(host).getHost())) {
                // An authority msal4j does not know (a national cloud's, or a test's): no instance discovery.
                builder.validateAuthority(false).instanceDiscovery(false);
            }
            return builder.build();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot use the Graph app registration of tenant " + tenant.tenantId()
                    + ": " + e.getMessage(), e);
        }
    }

    /** The tenant's certificate, read once; unreadable, it fails with what to fix and no password. */
    private CertificateCredential certificate(GraphProperties.Tenant tenant) {
        return certificates.computeIfAbsent(key(tenant), key -> {
            try {
                return CertificateCredential.read(Path.of(tenant.certificatePath()),
                        tenant.certificateKeyPath() == null ? null : Path.of(tenant.certificateKeyPath()),
                        tenant.certificatePassword());
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                throw new IllegalStateException("Cannot use the certificate of the Graph app registration of tenant "
                        + tenant.tenantId() + " (client " + tenant.clientId() + ", certificate-path "
                        + tenant.certificatePath() + "): " + e, e);
            }
        });
    }

    /** The certificate's thumbprint, to compare with the registration's in the Azure portal. */
    private String credentialName(GraphProperties.Tenant tenant) {
        return tenant.usesCertificate() ? ", certificate thumbprint " + certificate(tenant).thumbprint() : "";
    }

    private static String key(GraphProperties.Tenant tenant) {
        return tenant.tenantId() + "|" + tenant.clientId();
    }
}
