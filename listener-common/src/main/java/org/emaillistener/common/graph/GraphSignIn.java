package org.emaillistener.common.graph;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.emaillistener.common.creatio.SynchronizationCredentials;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The proof that whoever asks the listener to act for a Graph mailbox is that mailbox's user. The
 * listener reads and sends a tenant's mail with its own app-only permission, which covers every
 * mailbox of the tenant; so a caller of the API is served for one of them only with the delegated
 * token Creatio holds after its user signed in to Microsoft 365 ({@code UseOAuth}, {@code AccessToken}:
 * Creatio's app registration asks for Exchange Online's {@code EWS.AccessAsUser.All}).
 *
 * <p>The token is checked with nimbus-jose-jwt, never parsed by hand: signed RS256 with one of the
 * keys Microsoft Entra publishes for the tenant (its OpenID configuration's {@code jwks_uri}; the keys
 * are fetched again, at most every 5 minutes, when a token names one not known yet, since Entra rotates
 * them); issued by the tenant ({@code tid}, and {@code iss} as v1 or v2 tokens spell it: Entra's keys
 * are shared by all tenants, so a valid signature alone proves nothing about whose token it is); for
 * Exchange Online or Graph; not expired (5 minutes of clock skew allowed); and issued to the mailbox's
 * address ({@code upn}, {@code preferred_username}, {@code unique_name}, {@code smtp} or {@code email}).
 *
 * <p>Microsoft's documentation asks clients not to validate tokens for APIs they do not own: "Tokens for
 * Microsoft services can use a special format that will not validate as a JWT" (Microsoft identity
 * platform, "Don't validate access tokens for Microsoft Graph"). Graph's own tokens carry a {@code nonce}
 * header that makes their signature unverifiable outside Graph; Exchange Online's tokens, the ones
 * Creatio sends, are standard RS256 JWTs today, but that is not a promise. A token whose signature
 * cannot be checked is refused unless the operator sets {@code listener.graph.require-verified-sign-in=false};
 * then its claims alone are checked, which proves nothing against a forger, and the API's secret base
 * path and the tenant's {@code creatio-hosts} are what protect the mailboxes.
 */
final class GraphSignIn {

    /** Exchange Online's audiences (v1 and v2 spellings) and Graph's: what a Microsoft 365 sign-in is for. */
    private static final Set<String> AUDIENCES = Set.of("https://outlook.office365.com", "https://outlook.office.com",
            "00000002-0000-0ff1-ce00-000000000000", "https://graph.microsoft.com",
            "00000003-0000-0000-c000-000000000000");
    /** The claims that name the signed-in user: v1 tokens' {@code upn}/{@code unique_name}, v2's {@code preferred_username}. */
    private static final List<String> USER_CLAIMS = List.of("upn", "preferred_username", "unique_name", "smtp", "email");
    /** The issuer of v1 tokens (Exchange Online's), before the tenant id. */
    private static final String V1_ISSUER = "https://sts.windows.net/";
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
    private static final Duration KEYS_KEPT = Duration.ofHours(24);
    private static final Duration KEYS_REFETCHED_AT_MOST_EVERY = Duration.ofMinutes(5);

    private final GraphProperties properties;
    private final HttpClient http;
    private final JsonMapper json;
    private final Map<String, TenantKeys> keys = new ConcurrentHashMap<>();

    /** What Entra publishes for a tenant: its id, the issuers of its tokens, and its signing keys. */
    private record TenantKeys(String tenantId, Set<String> issuers, JWKSet keys, Instant fetched) {
    }

    GraphSignIn(GraphProperties properties, HttpClient http, JsonMapper json) {
        this.properties = properties;
        this.http = http;
        this.json = json;
    }

    /**
     * @throws GraphSignInException when the caller did not prove they are the mailbox's user
     * @throws GraphException when Entra's keys could not be fetched to tell (try again later)
     */
    void verify(SynchronizationCredentials mailbox, GraphProperties.Tenant tenant, String address)
            throws GraphException {
        if (!mailbox.UseOAuth() || mailbox.AccessToken() == null || mailbox.AccessToken().isBlank()) {
            throw new GraphSignInException("Microsoft Graph serves " + address + " with the listener's own app "
                    + "permission, which it uses only for a user who signed in: connect the mailbox in Creatio "
                    + "with Microsoft 365 sign-in (OAuth); a password is not accepted for it");
        }
        SignedJWT token;
        try {
            token = SignedJWT.parse(mailbox.AccessToken().trim());
        } catch (ParseException e) {
            throw new GraphSignInException("AccessToken is not a signed Microsoft Entra access token");
        }
        JWSHeader header = token.getHeader();
        if (!JWSAlgorithm.RS256.equals(header.getAlgorithm())) {
            throw new GraphSignInException("AccessToken is not signed the way Microsoft Entra signs (RS256)");
        }
        TenantKeys published = keys(tenant, false);
        if (header.getCustomParam("nonce") != null) {
            if (properties.requireVerifiedSignIn()) {
                throw new GraphSignInException("AccessToken is a Microsoft Graph token, whose signature only Graph "
                        + "can check: Creatio's sign-in for Exchange Online (EWS.AccessAsUser.All) is expected");
            }
        } else {
            verifySignature(token, header, tenant, published);
        }
        JWTClaimsSet claims;
        try {
            claims = token.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new GraphSignInException("AccessToken's claims cannot be read");
        }
        verifyClaims(claims, published, tenant, address);
    }

    private void verifySignature(SignedJWT token, JWSHeader header, GraphProperties.Tenant tenant,
            TenantKeys published) throws GraphException {
        JWK key = header.getKeyID() == null ? null : published.keys().getKeyByKeyId(header.getKeyID());
        if (key == null && header.getKeyID() != null
                && published.fetched().plus(KEYS_REFETCHED_AT_MOST_EVERY).isBefore(Instant.now())) {
            key = keys(tenant, true).keys().getKeyByKeyId(header.getKeyID());
        }
        boolean valid;
        try {
            valid = key instanceof RSAKey rsa && token.verify(new RSASSAVerifier(rsa));
        } catch (JOSEException e) {
            valid = false;
        }
        if (!valid) {
            throw new GraphSignInException("AccessToken is not signed by Microsoft Entra");
        }
    }

    private static void verifyClaims(JWTClaimsSet claims, TenantKeys published, GraphProperties.Tenant tenant,
            String address) throws GraphSignInException {
        if (!published.tenantId().equalsIgnoreCase(String.valueOf(claims.getClaim("tid")))
                || !published.issuers().contains(claims.getIssuer())) {
            throw new GraphSignInException("AccessToken was not issued by the tenant " + tenant.tenantId()
                    + ", which serves " + address);
        }
        if (claims.getAudience().stream().noneMatch(AUDIENCES::contains)) {
            throw new GraphSignInException("AccessToken is not for Exchange Online or Microsoft Graph");
        }
        Instant now = Instant.now();
        Date expires = claims.getExpirationTime();
        if (expires == null || expires.toInstant().plus(CLOCK_SKEW).isBefore(now)) {
            throw new GraphSignInException("AccessToken has expired: Creatio signs in again");
        }
        Date notBefore = claims.getNotBeforeTime();
        if (notBefore != null && notBefore.toInstant().minus(CLOCK_SKEW).isAfter(now)) {
            throw new GraphSignInException("AccessToken is not valid yet");
        }
        boolean theirs = USER_CLAIMS.stream().map(claims::getClaim)
                .anyMatch(user -> user instanceof String name && name.trim().equalsIgnoreCase(address));
        if (!theirs) {
            throw new GraphSignInException("AccessToken was issued to another user than " + address);
        }
    }

    /** The tenant's published keys: those kept, unless older than a day or {@code again} is asked. */
    private TenantKeys keys(GraphProperties.Tenant tenant, boolean again) throws GraphException {
        TenantKeys kept = keys.get(tenant.tenantId());
        if (!again && kept != null && kept.fetched().plus(KEYS_KEPT).isAfter(Instant.now())) {
            return kept;
        }
        URI configuration = URI.create(properties.authorityHost().replaceAll("/+$", "") + "/" + tenant.tenantId()
                + "/v2.0/.well-known/openid-configuration");
        JsonNode metadata;
        try {
            metadata = json.readTree(get(configuration, tenant));
        } catch (JacksonException e) {
            throw new GraphException("Microsoft Entra's OpenID configuration for tenant " + tenant.tenantId()
                    + " cannot be read", 502, null, e);
        }
        String issuer = metadata.path("issuer").asString("");
        String jwksUri = metadata.path("jwks_uri").asString("");
        String[] path = URI.create(issuer).getPath().split("/");
        if (path.length < 2 || jwksUri.isBlank()) {
            throw new GraphException("Microsoft Entra's OpenID configuration for tenant " + tenant.tenantId()
                    + " names no issuer or keys", 502, null, null);
        }
        JWKSet published;
        try {
            published = JWKSet.parse(get(URI.create(jwksUri), tenant));
        } catch (ParseException e) {
            throw new GraphException("Microsoft Entra's signing keys for tenant " + tenant.tenantId()
                    + " cannot be read", 502, null, e);
        }
        String tenantId = path[1];
        TenantKeys fetched = new TenantKeys(tenantId, Set.of(issuer, V1_ISSUER + tenantId + "/"), published,
                Instant.now());
        keys.put(tenant.tenantId(), fetched);
        return fetched;
    }

    private String get(URI uri, GraphProperties.Tenant tenant) throws GraphException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(properties.requestTimeout()).GET().build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new GraphException("Microsoft Entra cannot be reached to check the sign-in of tenant "
                    + tenant.tenantId() + ": " + e, 0, null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GraphException("Interrupted while fetching Microsoft Entra's keys", 0, null, e);
        }
        if (response.statusCode() != 200) {
            throw new GraphException("Microsoft Entra answered HTTP " + response.statusCode() + " for the keys of "
                    + "tenant " + tenant.tenantId(), 502, null, null);
        }
        return response.body();
    }
}
