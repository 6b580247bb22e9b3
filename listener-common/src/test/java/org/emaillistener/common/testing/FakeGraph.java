package org.emaillistener.common.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.IntPredicate;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import jakarta.mail.Address;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import tools.jackson.databind.json.JsonMapper;

/**
 * A fake Microsoft Graph v1.0 (Exchange Online mail) and Microsoft Entra token endpoint over HTTPS
 * with GreenMail's self-signed certificate, for driving a Graph client in tests: client-credentials
 * tokens per tenant, users with well-known and custom mail folders, messages with their MIME
 * ({@code $value}), message delta queries with paging and delta links, change-notification
 * subscriptions with Graph's validation handshake, change and lifecycle notifications, sendMail
 * (JSON and MIME), {@code $batch}, scripted throttling, and {@code translateExchangeIds} between a
 * folder's Graph id and its EWS id. The JSON follows Graph's documented shapes; there is no
 * permission model beyond "a token of the user's tenant".
 *
 * <p>Ids are immutable (a message keeps its id for its life, as with
 * {@code Prefer: IdType="ImmutableId"}); the real service changes non-immutable ids on a move.
 */
public class FakeGraph implements AutoCloseable {

    /** Graph's well-known folder names the fake creates for every user, with their display names. */
    public static final Map<String, String> WELL_KNOWN = wellKnown();
    /**
     * Graph allows a subscription to Outlook messages at most 4,230 minutes: "Subscriptions to Outlook
     * data will have a maximum expirationDateTime of 4230 minutes from the time of subscription
     * creation" (Microsoft 365 Developer Blog, "Microsoft Graph webhooks update – March 2016"), and
     * Graph answers a longer one with 400 "Subscription expiration can only be 4230 minutes in the
     * future". (The subscription resource page names 10,080 minutes today; the fake holds the lower,
     * which real tenants have been seen to enforce.)
     */
    public static final Duration MAX_MESSAGE_SUBSCRIPTION = Duration.ofMinutes(4230);

    private static final String GRAPH_SCOPE = "https://graph.microsoft.com/.default";
    private static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    private static final String KEYSTORE = "greenmail.p12";
    private static final char[] KEYSTORE_PASSWORD = "changeit".toCharArray();
    private static final int DEFAULT_PAGE = 10;
    private static final int BATCH_LIMIT = 20;
    /**
     * Outlook allows an app 4 concurrent requests per mailbox ("Microsoft Graph service-specific
     * throttling limits", Outlook service limits: "4 concurrent requests" per app per mailbox), the
     * members of a {@code $batch} included, which Graph runs in parallel unless they name
     * {@code dependsOn}. Beyond: 429 ApplicationThrottled, "Application is over its MailboxConcurrency
     * limit.", with Retry-After.
     */
    public static final int MAILBOX_CONCURRENCY = 4;
    /**
     * Graph takes at most 4 MB in a request: "user: sendMail" and "Attach large files to Outlook
     * messages or events" (a larger message goes as a draft with its attachments uploaded apart), and
     * Graph answers more with 413 (microsoftgraph/microsoft-graph-docs#9834; the error code is the
     * fake's choice, Graph documents the status). An upload session's PUT takes "up to 4 MB each time".
     */
    public static final int REQUEST_LIMIT = 4 * 1024 * 1024;
    /**
     * "Attach large files to Outlook messages or events": a file "under 3 MB" is attached by one POST,
     * one "between 3 MB and 150 MB" through an upload session, which Graph refuses for a smaller file
     * (400 ErrorAttachmentSizeShouldNotBeLessThanMinimumSize).
     */
    public static final int UPLOAD_SESSION_MINIMUM = 3 * 1024 * 1024;
    public static final long ATTACHMENT_LIMIT = 150L * 1024 * 1024;
    /**
     * Outlook takes 10,000 requests per 10 minutes per app per mailbox ("Microsoft Graph service-specific
     * throttling limits", Outlook service limits); beyond, 429 ApplicationThrottled with the seconds
     * until the window has room in Retry-After. Tests may narrow the budget ({@link #mailboxBudget}).
     */
    public static final int MAILBOX_REQUESTS = 10_000;
    public static final Duration MAILBOX_WINDOW = Duration.ofMinutes(10);
    private static final Pattern ODATA_KEY = Pattern.compile("^([A-Za-z]+)\\('(.*)'\\)$");
    private static final Pattern RESOURCE = Pattern.compile(
            "(?i)^/?users/([^/]+)(?:/mailFolders(?:\\('([^']+)'\\)|/([^/]+)))?/messages$");

    private final JsonMapper json = JsonMapper.builder().build();
    private final SecureRandom random = new SecureRandom();
    /**
     * Entra's signing key: one for every tenant, as Entra's published keys are shared by all tenants
     * (Microsoft identity platform, "Access tokens": a token's tenant is in its {@code tid} and
     * {@code iss} claims, not in the key), named by {@code kid} and {@code x5t} alike.
     */
    private final KeyPair signingKey = rsaKeyPair();
    private final String signingKeyId = "fake-entra-" + Long.toHexString(random.nextLong());
    private final HttpsServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient outbound;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong httpRequests = new AtomicLong();

    // All mailbox state is guarded by "this".
    private final Map<String, Tenant> tenants = new HashMap<>();
    /** Users by lower-cased id and by lower-cased address, as added: a request names a user either way. */
    private final Map<String, List<User>> usersByName = new HashMap<>();
    private final Map<String, Token> tokens = new HashMap<>();
    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    private final Map<String, DeltaRound> rounds = new HashMap<>();
    /**
     * The delta tokens each folder's cache still holds, newest last. "Use delta query to track changes
     * in Microsoft Graph data": for Outlook entities the tokens' lifetime "is dependent on the size of
     * the internal delta token cache … after the cache capacity is exceeded, the older delta tokens are
     * deleted" (410 Gone, syncStateNotFound). The fake's cache holds the newest few per folder.
     */
    private final Map<String, Deque<String>> deltaTokens = new HashMap<>();
    public static final int DELTA_TOKENS_KEPT = 3;
    /** Delta and skip tokens refused (410 syncStateNotFound), by user id. */
    private final Map<String, Integer> refusedDeltaTokens = new HashMap<>();
    private final List<Throttle> throttles = new ArrayList<>();
    /** Requests in flight per mailbox (its user id), batch members included; guarded by "this". */
    private final Map<String, Integer> inFlight = new HashMap<>();
    private final AtomicLong concurrencyRefusals = new AtomicLong();
    /** When each mailbox's requests in the current budget window came, oldest first; guarded by "this". */
    private final Map<String, Deque<Instant>> spent = new HashMap<>();
    private final AtomicLong budgetRefusals = new AtomicLong();
    private int mailboxRequests = MAILBOX_REQUESTS;
    private Duration mailboxWindow = MAILBOX_WINDOW;
    /** Upload sessions by the token in their address. */
    private final Map<String, Upload> uploads = new HashMap<>();
    /** Set while a batch's members run: their mailboxes' slots were taken for the whole batch. */
    private static final ThreadLocal<Boolean> IN_BATCH = ThreadLocal.withInitial(() -> false);
    private long sequence;
    private int deltaGeneration;
    private Duration tokenLifetime = Duration.ofSeconds(3599);
    private Duration subscriptionCap = MAX_MESSAGE_SUBSCRIPTION;

    // Appended to on every request (a copy-on-write list would copy itself each time), copied when read.
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private final List<Notification> notificationsSent = Collections.synchronizedList(new ArrayList<>());

    /** A change or lifecycle notification the fake posted, with the status the listener answered (-1: no answer). */
    public record Notification(String kind, String subscriptionId, String url, String body, int status) {
    }

    /** An app registration's credentials by client id: client secrets, and certificates for client assertions. */
    private record Tenant(String id, Map<String, String> secrets, Map<String, X509Certificate> certificates) {
    }

    private record Token(String tenant, String clientId, Instant expires) {
    }

    private record Throttle(String pathContains, int status, Duration retryAfter) {
    }

    private static final class User {
        final String id = UUID.randomUUID().toString();
        final String tenant;
        final String address;
        final Map<String, Folder> folders = new LinkedHashMap<>();
        final Map<String, String> wellKnown = new HashMap<>();
        final Map<String, Msg> messages = new LinkedHashMap<>();
        final List<Removed> removed = new ArrayList<>();
        final List<byte[]> sentMime = new CopyOnWriteArrayList<>();
        final List<String> sentJson = new CopyOnWriteArrayList<>();
        /** Drafts made from MIME, by id, until sent or deleted. */
        final Map<String, Draft> drafts = new LinkedHashMap<>();
        int dropNotifications;

        User(String tenant, String address) {
            this.tenant = tenant;
            this.address = address;
        }
    }

    private record Folder(String id, String parentId, String displayName, String wellKnownName) {
    }

    private static final class Msg {
        final String id;
        final byte[] mime;
        final Instant received;
        final Instant created = Instant.now();
        final long createdSeq;
        String folderId;
        Instant modified = created;
        long modifiedSeq;
        String changeKey;
        List<String> categories = List.of();
        boolean isRead;

        Msg(String id, String folderId, byte[] mime, Instant received, long seq) {
            this.id = id;
            this.folderId = folderId;
            this.mime = mime;
            this.received = received;
            this.createdSeq = seq;
            this.modifiedSeq = seq;
            this.changeKey = "CQAAABYAAAA" + seq;
        }
    }

    private record Removed(String id, String folderId, long createdSeq, long seq) {
    }

    /** A draft made from MIME and the files attached to it since. */
    private record Draft(String id, byte[] mime, List<FileAttachment> attachments) {
    }

    private record FileAttachment(String id, String name, String contentType, byte[] content, boolean inline,
            String contentId) {
    }

    /** An upload session for one file of a draft: the bytes received so far, in order. */
    private static final class Upload {
        final String userId;
        final String draftId;
        final FileAttachment expected;
        final long size;
        final ByteArrayOutputStream received = new ByteArrayOutputStream();

        Upload(String userId, String draftId, FileAttachment expected, long size) {
            this.userId = userId;
            this.draftId = draftId;
            this.expected = expected;
            this.size = size;
        }
    }

    private record DeltaRound(String userId, String folderId, int generation, long toSeq, List<String> ids,
            List<String> removedIds, int pageSize, String select) {
    }

    private static final class Subscription {
        final String id = UUID.randomUUID().toString();
        final String tenant;
        final String clientId;
        final String userId;
        final String folderId; // null: the whole mailbox
        final String resource;
        final String changeType;
        final String notificationUrl;
        final String lifecycleUrl;
        final String clientState;
        Instant expires;

        Subscription(String tenant, String clientId, String userId, String folderId, String resource,
                String changeType, String notificationUrl, String lifecycleUrl, String clientState, Instant expires) {
            this.tenant = tenant;
            this.clientId = clientId;
            this.userId = userId;
            this.folderId = folderId;
            this.resource = resource;
            this.changeType = changeType;
            this.notificationUrl = notificationUrl;
            this.lifecycleUrl = lifecycleUrl;
            this.clientState = clientState;
            this.expires = expires;
        }
    }

    /** A request as the router sees it: from the wire or from a {@code $batch}. */
    private record Req(String method, String path, Map<String, String> query, Map<String, String> headers,
            byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private record Resp(int status, Map<String, String> headers, byte[] body) {
    }

    private static final class GraphError extends RuntimeException {
        final int status;
        final String code;
        final Map<String, String> headers;

        GraphError(int status, String code, String message) {
            this(status, code, message, Map.of());
        }

        GraphError(int status, String code, String message, Map<String, String> headers) {
            super(message);
            this.status = status;
            this.code = code;
            this.headers = headers;
        }
    }

    public FakeGraph() throws IOException {
        this(serverContext());
    }

    /**
     * A fake serving the key pair in this PKCS#12 keystore instead of GreenMail's certificate: for
     * clients that check it as they would Graph, against their trust store and by host name (the
     * service run as a process, with the certificate in its {@code javax.net.ssl.trustStore}), so the
     * certificate names 127.0.0.1. {@link #trustingContext()} does not trust it.
     */
    public static FakeGraph withKeyStore(Path keyStore, String password) throws IOException {
        char[] secret = password.toCharArray();
        try {
            return new FakeGraph(serverContext(KeyStore.getInstance(keyStore.toFile(), secret), secret));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot serve with the key pair in " + keyStore, e);
        }
    }

    private FakeGraph(SSLContext tls) throws IOException {
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
        outbound = HttpClient.newBuilder().executor(executor).connectTimeout(Duration.ofSeconds(5))
                .sslContext(trustingContext()).build();
    }

    // --- TLS ---

    /**
     * Trusts exactly the fake's certificate (GreenMail's self-signed one, which names no host):
     * the chain must be that certificate, and no host name is checked.
     */
    public static SSLContext trustingContext() {
        try {
            KeyStore keyStore = keyStore();
            X509Certificate pinned = (X509Certificate) keyStore.getCertificate(keyStore.aliases().nextElement());
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[] {new PinnedTrustManager(pinned)}, null);
            return tls;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static SSLContext serverContext() {
        try {
            return serverContext(keyStore(), KEYSTORE_PASSWORD);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static SSLContext serverContext(KeyStore keyStore, char[] password) throws GeneralSecurityException {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(keyStore, password);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), null, null);
        return tls;
    }

    private static KeyStore keyStore() throws Exception {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = FakeGraph.class.getClassLoader().getResourceAsStream(KEYSTORE)) {
            keyStore.load(in, KEYSTORE_PASSWORD);
        }
        return keyStore;
    }

    /** An X509ExtendedTrustManager, so the JDK does not add its own host name check on top. */
    private static final class PinnedTrustManager extends X509ExtendedTrustManager {
        private final X509Certificate pinned;

        PinnedTrustManager(X509Certificate pinned) {
            this.pinned = pinned;
        }

        private void check(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0 || !chain[0].equals(pinned)) {
                throw new CertificateException("not the fake Graph's certificate");
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket socket)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("client side only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket socket)
                throws CertificateException {
            throw new CertificateException("client side only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("client side only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[] {pinned};
        }
    }

    // --- addresses ---

    public String baseUrl() {
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The authority an MSAL client is given: {@code https://127.0.0.1:<port>/<tenant>/}. */
    public String authorityUrl(String tenant) {
        return baseUrl() + "/" + tenant + "/";
    }

    public String tokenUrl(String tenant) {
        return baseUrl() + "/" + tenant + "/oauth2/v2.0/token";
    }

    public String graphUrl() {
        return baseUrl() + "/v1.0";
    }

    // --- tenants, users, folders, messages ---

    public synchronized void addTenant(String tenantId, String clientId, String clientSecret) {
        tenant(tenantId).secrets.put(clientId, clientSecret);
    }

    /**
     * An app registration that proves itself with a certificate: its token requests carry a client
     * assertion (a JWT, RS256) signed with the certificate's private key and naming the certificate by
     * its thumbprint ({@code x5t} or {@code x5t#S256}).
     */
    public synchronized void addTenantWithCertificate(String tenantId, String clientId, X509Certificate certificate) {
        tenant(tenantId).certificates.put(clientId, certificate);
    }

    private Tenant tenant(String tenantId) {
        return tenants.computeIfAbsent(tenantId, id -> new Tenant(id, new HashMap<>(), new HashMap<>()));
    }

    /**
     * The delegated token Creatio holds after the user signed in to Microsoft 365 with its app
     * registration: a v1 access token for Exchange Online ({@code EWS.AccessAsUser.All}), signed RS256
     * with Entra's key, as Entra issues it (Microsoft identity platform, "Access token claims
     * reference": {@code aud}, {@code iss} {@code https://sts.windows.net/<tid>/}, {@code tid},
     * {@code upn}, {@code unique_name}, {@code scp}, {@code exp}), valid for an hour.
     */
    public String signIn(String tenant, String user) {
        return signIn(tenant, user, Duration.ofSeconds(3599));
    }

    /** The same sign-in, valid for {@code lifetime} from now (negative: expired already). */
    public String signIn(String tenant, String user, Duration lifetime) {
        Instant now = Instant.now();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("aud", "https://outlook.office365.com");
        claims.put("iss", "https://sts.windows.net/" + tenant + "/");
        claims.put("iat", now.getEpochSecond());
        claims.put("nbf", Math.min(now.getEpochSecond(), now.plus(lifetime).getEpochSecond()));
        claims.put("exp", now.plus(lifetime).getEpochSecond());
        claims.put("appid", "creatio-app");
        claims.put("scp", "EWS.AccessAsUser.All");
        claims.put("tid", tenant);
        claims.put("upn", user);
        claims.put("unique_name", user);
        claims.put("ver", "1.0");
        return signedJwt(Map.of("typ", "JWT", "alg", "RS256", "x5t", signingKeyId, "kid", signingKeyId), claims,
                signingKey.getPrivate());
    }

    /** A JWT with these header and claims, signed RS256 with {@code key}: a forger's own or Entra's. */
    public String signedJwt(Map<String, Object> header, Map<String, Object> claims, PrivateKey key) {
        return SignedJwts.rs256(header, claims, key);
    }

    /** The key id Entra's published keys name the signing key by. */
    public String signingKeyId() {
        return signingKeyId;
    }

    private static KeyPair rsaKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The longest subscription lifetime accepted from now on ({@link #MAX_MESSAGE_SUBSCRIPTION} by
     * default), as Graph holds a lower one for some subscriptions (1 day with resource data).
     */
    public synchronized void capSubscriptionsAt(Duration cap) {
        subscriptionCap = cap;
    }

    private synchronized Duration subscriptionCap() {
        return subscriptionCap;
    }

    /** How long the access tokens issued from now on live (3599 s, as Entra's, by default). */
    public synchronized void setTokenLifetime(Duration lifetime) {
        tokenLifetime = lifetime;
    }

    /** A mailbox with Graph's well-known folders; returns the user's object id. */
    public synchronized String addUser(String tenant, String address) {
        if (!tenants.containsKey(tenant)) {
            throw new IllegalArgumentException("no tenant " + tenant);
        }
        User user = new User(tenant, address);
        for (String name : List.of(user.id, address)) {
            usersByName.computeIfAbsent(name.toLowerCase(Locale.ROOT), key -> new ArrayList<>()).add(user);
        }
        Folder root = new Folder(newFolderId("AQMkAD"), null, "Top of Information Store", "msgfolderroot");
        user.folders.put(root.id, root);
        user.wellKnown.put("msgfolderroot", root.id);
        WELL_KNOWN.forEach((name, display) -> {
            Folder folder = new Folder(newFolderId("AQMkAD"), root.id, display, name);
            user.folders.put(folder.id, folder);
            user.wellKnown.put(name, folder.id);
        });
        return user.id;
    }

    public synchronized String userId(String user) {
        return user(user).id;
    }

    /** The id of a well-known folder ("inbox", "sentitems", "drafts", "deleteditems", "junkemail", "archive", "msgfolderroot"). */
    public synchronized String folderId(String user, String wellKnown) {
        String id = user(user).wellKnown.get(wellKnown.toLowerCase(Locale.ROOT));
        if (id == null) {
            throw new IllegalArgumentException("no well-known folder " + wellKnown);
        }
        return id;
    }

    public synchronized String addFolder(String user, String parentId, String displayName) {
        User u = user(user);
        Folder parent = folder(u, parentId);
        Folder folder = new Folder(newFolderId("AAMkAD"), parent.id, displayName, null);
        u.folders.put(folder.id, folder);
        return folder.id;
    }

    /**
     * The folder's id as EWS names it (as Creatio holds it for a mailbox whose folders it listed
     * through EWS): the same id in standard base64, {@code /} and {@code +} where Graph's URL-safe
     * form has {@code -} and {@code _}. The fake's folder ids always hold one, so the two differ.
     */
    public synchronized String ewsFolderId(String user, String folderId) {
        return ewsForm(folder(user(user), folderId).id);
    }

    /** Delivers a message now: see {@link #createMessage(String, String, byte[], Instant)}. */
    public String createMessage(String user, String folderId, byte[] mime) {
        return createMessage(user, folderId, mime, Instant.now());
    }

    /**
     * Files a message (its MIME kept byte for byte) and notifies the subscriptions covering its
     * folder, unless {@link #dropNextNotification} asked to lose the next one. Returns its id.
     */
    public String createMessage(String user, String folderId, byte[] mime, Instant receivedAt) {
        List<Runnable> posts;
        String id;
        synchronized (this) {
            User u = user(user);
            Folder folder = folder(u, folderId);
            Msg msg = new Msg(newId("AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0A"), folder.id, mime.clone(),
                    receivedAt.truncatedTo(ChronoUnit.SECONDS), ++sequence);
            u.messages.put(msg.id, msg);
            id = msg.id;
            posts = changeNotifications(u, msg);
        }
        posts.forEach(executor::execute);
        return id;
    }

    /** Deletes a message (delta reports it {@code @removed}). */
    public synchronized void deleteMessage(String user, String messageId) {
        User u = user(user);
        Msg msg = u.messages.remove(messageId);
        if (msg == null) {
            throw new IllegalArgumentException("no message " + messageId);
        }
        u.removed.add(new Removed(msg.id, msg.folderId, msg.createdSeq, ++sequence));
    }

    public synchronized List<String> categories(String user, String messageId) {
        Msg msg = user(user).messages.get(messageId);
        if (msg == null) {
            throw new IllegalArgumentException("no message " + messageId);
        }
        return msg.categories;
    }

    /** The ids of the messages in a folder, oldest first. */
    public synchronized List<String> messageIds(String user, String folderId) {
        User u = user(user);
        String folder = folder(u, folderId).id;
        return u.messages.values().stream().filter(m -> m.folderId.equals(folder)).map(m -> m.id).toList();
    }

    public synchronized byte[] mime(String user, String messageId) {
        Msg msg = user(user).messages.get(messageId);
        if (msg == null) {
            throw new IllegalArgumentException("no message " + messageId);
        }
        return msg.mime.clone();
    }

    /** Sets a message's categories as the user's mail client would: a change the delta reports. */
    public synchronized void setCategories(String user, String messageId, List<String> categories) {
        Msg msg = user(user).messages.get(messageId);
        if (msg == null) {
            throw new IllegalArgumentException("no message " + messageId);
        }
        msg.categories = List.copyOf(categories);
        msg.modified = Instant.now();
        msg.modifiedSeq = ++sequence;
        msg.changeKey = "CQAAABYAAAA" + msg.modifiedSeq;
    }

    // --- scripted faults ---

    /** Every delta and skip token issued so far is answered {@code 410 Gone} (syncStateNotFound). */
    public synchronized void expireDeltaTokens() {
        deltaGeneration++;
        rounds.clear();
    }

    /** The next change notification for this user's mailbox is lost (not posted). */
    public synchronized void dropNextNotification(String user) {
        user(user).dropNotifications++;
    }

    /** The next request whose path contains this text is answered with 429 or 503 and {@code Retry-After}. */
    public synchronized void throttleNext(String pathContains, int status, Duration retryAfter) {
        if (status != 429 && status != 503) {
            throw new IllegalArgumentException("Graph throttles with 429 or 503");
        }
        throttles.add(new Throttle(pathContains, status, retryAfter));
    }

    /**
     * Posts a lifecycle notification ("missed", "reauthorizationRequired" or "subscriptionRemoved")
     * to the subscription's lifecycleNotificationUrl; "subscriptionRemoved" also ends the
     * subscription. Returns the status the listener answered (-1: none).
     */
    public int sendLifecycle(String subscriptionId, String lifecycleEvent) {
        Subscription s;
        String body;
        synchronized (this) {
            s = subscriptions.get(subscriptionId);
            if (s == null) {
                throw new IllegalArgumentException("no subscription " + subscriptionId);
            }
            if (s.lifecycleUrl == null) {
                throw new IllegalStateException("subscription " + subscriptionId + " has no lifecycleNotificationUrl");
            }
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("subscriptionId", s.id);
            item.put("subscriptionExpirationDateTime", graphTime(s.expires));
            item.put("tenantId", s.tenant);
            item.put("clientState", s.clientState);
            item.put("lifecycleEvent", lifecycleEvent);
            body = json.writeValueAsString(Map.of("value", List.of(item)));
            if ("subscriptionRemoved".equals(lifecycleEvent)) {
                subscriptions.remove(subscriptionId);
            }
        }
        return post("lifecycle", s.id, s.lifecycleUrl, body);
    }

    // --- observation ---

    /** "METHOD /path" of every request, in arrival order ({@code $batch} members included). */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    /** How many HTTP requests reached the fake: a {@code $batch} counts once, where {@link #requests()} lists its members. */
    public long httpRequests() {
        return httpRequests.get();
    }

    public List<Notification> notificationsSent() {
        return List.copyOf(notificationsSent);
    }

    /** The ids of the user's subscriptions that have not expired or been deleted. */
    public synchronized List<String> activeSubscriptions(String user) {
        String userId = user(user).id;
        Instant now = Instant.now();
        return subscriptions.values().stream().filter(s -> s.userId.equals(userId) && s.expires.isAfter(now))
                .map(s -> s.id).toList();
    }

    /** How many users have a subscription that has not expired or been deleted. */
    public synchronized int subscribedUsers() {
        Instant now = Instant.now();
        return (int) subscriptions.values().stream().filter(s -> s.expires.isAfter(now)).map(s -> s.userId)
                .distinct().count();
    }

    public synchronized Instant subscriptionExpiry(String subscriptionId) {
        Subscription s = subscriptions.get(subscriptionId);
        return s == null ? null : s.expires;
    }

    /** The MIME of every message sent through sendMail as MIME (base64 text/plain body), in order. */
    public synchronized List<byte[]> sentMime(String user) {
        return List.copyOf(user(user).sentMime);
    }

    /** The JSON body of every sendMail with a JSON message, in order. */
    public synchronized List<String> sentJson(String user) {
        return List.copyOf(user(user).sentJson);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.stop(0);
            outbound.shutdownNow();
            executor.shutdownNow();
        }
    }

    // --- HTTP ---

    private void handle(HttpExchange exchange) throws IOException {
        httpRequests.incrementAndGet();
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Map<String, String> headers = new HashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
            URI uri = exchange.getRequestURI();
            Req req = new Req(exchange.getRequestMethod().toUpperCase(Locale.ROOT), uri.getRawPath(),
                    query(uri.getRawQuery()), headers, body);
            Resp resp = dispatch(req);
            resp.headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            exchange.getResponseHeaders().set("request-id", UUID.randomUUID().toString());
            exchange.sendResponseHeaders(resp.status, resp.body.length == 0 ? -1 : resp.body.length);
            if (resp.body.length > 0) {
                exchange.getResponseBody().write(resp.body);
            }
        }
    }

    private Resp dispatch(Req req) {
        String path = decode(req.path);
        requests.add(req.method + " " + path);
        try {
            Throttle throttle = takeThrottle(path);
            if (throttle != null) {
                String code = throttle.status == 429 ? "TooManyRequests" : "ServiceUnavailable";
                throw new GraphError(throttle.status, code, throttle.status == 429
                        ? "Too many requests. Please retry after the time given in Retry-After."
                        : "The service is temporarily unavailable. Please retry after the time given in Retry-After.",
                        Map.of("Retry-After", String.valueOf(Math.max(1, throttle.retryAfter.toSeconds()))));
            }
            List<String> segments = segments(req.path);
            if (segments.size() == 2 && segments.get(0).equals("upload")) {
                return uploadRange(req, segments.get(1));
            }
            if (segments.size() >= 2 && segments.get(0).equals("v1.0")) {
                if (req.body.length > REQUEST_LIMIT) {
                    throw new GraphError(413, "RequestEntityTooLarge",
                            "The request is larger than the 4 MB Microsoft Graph takes in one request.");
                }
                String mailbox = IN_BATCH.get() ? null : mailboxOf(segments);
                if (mailbox != null) {
                    spend(mailbox);
                }
                if (mailbox != null && !enter(mailbox, 1)) {
                    throw overConcurrency();
                }
                try {
                    return graph(req, segments.subList(1, segments.size()));
                } finally {
                    if (mailbox != null) {
                        leave(mailbox, 1);
                    }
                }
            }
            return identity(req, segments);
        } catch (GraphError e) {
            Map<String, Object> inner = new LinkedHashMap<>();
            inner.put("date", graphTime(Instant.now()));
            inner.put("request-id", UUID.randomUUID().toString());
            inner.put("client-request-id", req.header("client-request-id") == null ? UUID.randomUUID().toString()
                    : req.header("client-request-id"));
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("code", e.code);
            error.put("message", e.getMessage());
            error.put("innerError", inner);
            Map<String, String> headers = new LinkedHashMap<>(e.headers);
            headers.put("Content-Type", "application/json");
            return new Resp(e.status, headers, json.writeValueAsBytes(Map.of("error", error)));
        }
    }

    private synchronized Throttle takeThrottle(String path) {
        for (int i = 0; i < throttles.size(); i++) {
            if (path.contains(throttles.get(i).pathContains)) {
                return throttles.remove(i);
            }
        }
        return null;
    }

    // --- Microsoft Entra (identity) ---

    private Resp identity(Req req, List<String> segments) {
        if (segments.size() == 4 && segments.get(1).equals("oauth2") && segments.get(2).equals("v2.0")
                && segments.get(3).equals("token") && req.method.equals("POST")) {
            return token(segments.get(0), req);
        }
        if (segments.size() == 4 && segments.get(1).equals("v2.0") && segments.get(2).equals(".well-known")
                && segments.get(3).equals("openid-configuration") && req.method.equals("GET")) {
            String tenant = segments.get(0);
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("token_endpoint", tokenUrl(tenant));
            config.put("token_endpoint_auth_methods_supported",
                    List.of("client_secret_post", "private_key_jwt", "client_secret_basic"));
            config.put("jwks_uri", baseUrl() + "/" + tenant + "/discovery/v2.0/keys");
            config.put("response_types_supported", List.of("code", "id_token", "code id_token", "id_token token"));
            config.put("issuer", baseUrl() + "/" + tenant + "/v2.0");
            config.put("authorization_endpoint", baseUrl() + "/" + tenant + "/oauth2/v2.0/authorize");
            config.put("tenant_region_scope", "EU");
            return jsonResp(200, config);
        }
        if (segments.size() == 4 && segments.get(1).equals("discovery") && segments.get(2).equals("v2.0")
                && segments.get(3).equals("keys") && req.method.equals("GET")) {
            // The tenant's published keys (JWKS, RFC 7517): the public half of Entra's signing key.
            RSAPublicKey key = (RSAPublicKey) signingKey.getPublic();
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            Map<String, Object> jwk = new LinkedHashMap<>();
            jwk.put("kty", "RSA");
            jwk.put("use", "sig");
            jwk.put("kid", signingKeyId);
            jwk.put("x5t", signingKeyId);
            jwk.put("n", b64.encodeToString(unsigned(key.getModulus().toByteArray())));
            jwk.put("e", b64.encodeToString(unsigned(key.getPublicExponent().toByteArray())));
            jwk.put("issuer", baseUrl() + "/" + segments.get(0) + "/v2.0");
            return jsonResp(200, Map.of("keys", List.of(jwk)));
        }
        if (segments.size() == 3 && segments.get(1).equals("discovery") && segments.get(2).equals("instance")) {
            String host = "127.0.0.1:" + server.getAddress().getPort();
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("tenant_discovery_endpoint", baseUrl() + "/" + segments.get(0)
                    + "/v2.0/.well-known/openid-configuration");
            config.put("api-version", "1.1");
            config.put("metadata", List.of(Map.of("preferred_network", host, "preferred_cache", host,
                    "aliases", List.of(host))));
            return jsonResp(200, config);
        }
        throw new GraphError(404, "ResourceNotFound", "No such endpoint: " + req.method + " " + decode(req.path));
    }

    /** A big-endian integer without the sign byte {@code BigInteger} adds, as JWK's {@code n} and {@code e} are. */
    private static byte[] unsigned(byte[] twosComplement) {
        return twosComplement.length > 1 && twosComplement[0] == 0
                ? Arrays.copyOfRange(twosComplement, 1, twosComplement.length) : twosComplement;
    }

    private Resp token(String tenantId, Req req) {
        Map<String, String> form = query(new String(req.body, StandardCharsets.UTF_8));
        String clientId = form.get("client_id");
        String secret = form.get("client_secret");
        String basic = req.header("authorization");
        if (basic != null && basic.regionMatches(true, 0, "Basic ", 0, 6)) {
            String[] pair = new String(Base64.getDecoder().decode(basic.substring(6).trim()), StandardCharsets.UTF_8)
                    .split(":", 2);
            clientId = URLDecoder.decode(pair[0], StandardCharsets.UTF_8);
            secret = pair.length > 1 ? URLDecoder.decode(pair[1], StandardCharsets.UTF_8) : null;
        }
        Tenant tenant;
        String expectedSecret;
        X509Certificate certificate;
        Duration lifetime;
        synchronized (this) {
            tenant = tenants.get(tenantId);
            expectedSecret = tenant == null ? null : tenant.secrets.get(clientId);
            certificate = tenant == null ? null : tenant.certificates.get(clientId);
            lifetime = tokenLifetime;
        }
        if (tenant == null) {
            return entraError(400, "invalid_request", 90002, "Tenant '" + tenantId + "' not found.");
        }
        if (!"client_credentials".equals(form.get("grant_type"))) {
            return entraError(400, "unsupported_grant_type", 70003,
                    "The app requested an unsupported grant type '" + form.get("grant_type") + "'.");
        }
        if (expectedSecret == null && certificate == null) {
            return entraError(400, "unauthorized_client", 700016, "Application with identifier '" + clientId
                    + "' was not found in the directory '" + tenantId + "'.");
        }
        if (form.containsKey("client_assertion") || form.containsKey("client_assertion_type")) {
            Resp refused = refuseAssertion(tenantId, clientId, certificate, form);
            if (refused != null) {
                return refused;
            }
        } else if (secret == null) {
            return entraError(401, "invalid_client", 7000218,
                    "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
        } else if (!secret.equals(expectedSecret)) {
            return entraError(401, "invalid_client", 7000215, "Invalid client secret provided.");
        }
        String scope = form.getOrDefault("scope", "");
        if (!Arrays.asList(scope.split(" ")).contains(GRAPH_SCOPE)) {
            return entraError(400, "invalid_scope", 1002012, "The provided value for scope " + scope
                    + " is not valid. Client credential flows must have a scope value with /.default suffixed"
                    + " to the resource identifier (application ID URI).");
        }
        Instant expires = Instant.now().plus(lifetime);
        String accessToken = accessToken(tenantId, clientId, expires);
        synchronized (this) {
            tokens.put(accessToken, new Token(tenantId, clientId, expires));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token_type", "Bearer");
        body.put("expires_in", lifetime.toSeconds());
        body.put("ext_expires_in", lifetime.toSeconds());
        body.put("access_token", accessToken);
        return jsonResp(200, body);
    }

    /**
     * Entra's answer to a client assertion it does not accept, or null when it is the registered
     * certificate's: a JWT signed RS256 with its key, naming it by thumbprint, for the token endpoint
     * ({@code aud}), issued by and about the client ({@code iss}, {@code sub}) and not expired.
     */
    private Resp refuseAssertion(String tenantId, String clientId, X509Certificate registered, Map<String, String> form) {
        if (!JWT_BEARER.equals(form.get("client_assertion_type")) || form.get("client_assertion") == null) {
            return entraError(400, "invalid_request", 900144, "The request body must contain the following"
                    + " parameters: 'client_assertion' and 'client_assertion_type' (" + JWT_BEARER + ").");
        }
        String[] jwt = form.get("client_assertion").split("\\.", -1);
        Map<?, ?> header;
        Map<?, ?> claims;
        byte[] signature;
        try {
            Base64.Decoder b64 = Base64.getUrlDecoder();
            header = json.readValue(b64.decode(jwt[0]), Map.class);
            claims = json.readValue(b64.decode(jwt[1]), Map.class);
            signature = b64.decode(jwt[jwt.length - 1]);
        } catch (RuntimeException e) {
            return entraError(401, "invalid_client", 50027, "JWT token is invalid or malformed.");
        }
        if (jwt.length != 3 || !"RS256".equals(header.get("alg"))) {
            return entraError(401, "invalid_client", 50027, "JWT token is invalid or malformed: the client"
                    + " assertion must be a JWS signed RS256.");
        }
        boolean sha256 = header.get("x5t#S256") != null;
        byte[] used = thumbprint(String.valueOf(header.get(sha256 ? "x5t#S256" : "x5t")));
        if (registered == null || !Arrays.equals(used, digest(registered, sha256 ? "SHA-256" : "SHA-1"))) {
            return entraError(401, "invalid_client", 700027, "The certificate with identifier used to sign the"
                    + " client assertion is not registered on application. [Reason - The key was not found.,"
                    + " Thumbprint of key used by client: '" + HexFormat.of().withUpperCase().formatHex(used)
                    + "', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured"
                    + " keys for app Id '" + clientId + "'.]");
        }
        try {
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initVerify(registered.getPublicKey());
            rs256.update((jwt[0] + "." + jwt[1]).getBytes(StandardCharsets.US_ASCII));
            if (!rs256.verify(signature)) {
                return entraError(401, "invalid_client", 700027, "Client assertion failed signature validation.");
            }
        } catch (GeneralSecurityException e) {
            return entraError(401, "invalid_client", 700027, "Client assertion failed signature validation.");
        }
        if (!tokenUrl(tenantId).equals(claims.get("aud"))) {
            return entraError(401, "invalid_client", 700023, "Client assertion audience claim does not match"
                    + " Realm issuer. Review the documentation at https://aka.ms/certCredentials.");
        }
        if (!clientId.equals(claims.get("iss")) || !clientId.equals(claims.get("sub"))) {
            return entraError(401, "invalid_client", 700021,
                    "Client assertion application identifier doesn't match 'client_id' parameter.");
        }
        Instant expires = claims.get("exp") instanceof Number exp ? Instant.ofEpochSecond(exp.longValue()) : Instant.MIN;
        if (!expires.isAfter(Instant.now())) {
            return entraError(401, "invalid_client", 700024, "Client assertion is not within its valid time range."
                    + " Current time: " + graphTime(Instant.now()) + ", expiry time of assertion: "
                    + (expires == Instant.MIN ? "none" : graphTime(expires)) + ".");
        }
        return null;
    }

    private static byte[] digest(X509Certificate certificate, String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm).digest(certificate.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A thumbprint from a JWT header: base64url as RFC 7515 says, or padded base64, as msal4j writes
     * {@code x5t#S256}.
     */
    private static byte[] thumbprint(String header) {
        try {
            return Base64.getDecoder().decode(header.replace('-', '+').replace('_', '/').replace("=", "")
                    .getBytes(StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    /** An unsigned JWT with the claims Graph tokens carry; clients must treat it as opaque. */
    private String accessToken(String tenant, String clientId, Instant expires) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"typ\":\"JWT\",\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8));
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("aud", "https://graph.microsoft.com");
        claims.put("iss", "https://sts.windows.net/" + tenant + "/");
        claims.put("iat", Instant.now().getEpochSecond());
        claims.put("exp", expires.getEpochSecond());
        claims.put("appid", clientId);
        claims.put("roles", List.of("Mail.ReadWrite", "Mail.Send"));
        claims.put("tid", tenant);
        claims.put("jti", UUID.randomUUID().toString());
        byte[] signature = new byte[32];
        random.nextBytes(signature);
        return header + "." + b64.encodeToString(json.writeValueAsBytes(claims)) + "." + b64.encodeToString(signature);
    }

    private Resp entraError(int status, String error, int code, String description) {
        String trace = UUID.randomUUID().toString();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", "AADSTS" + code + ": " + description + " Trace ID: " + trace
                + " Correlation ID: " + UUID.randomUUID() + " Timestamp: " + graphTime(Instant.now()));
        body.put("error_codes", List.of(code));
        body.put("timestamp", graphTime(Instant.now()));
        body.put("trace_id", trace);
        body.put("correlation_id", UUID.randomUUID().toString());
        return jsonResp(status, body);
    }

    // --- Graph ---

    private Resp graph(Req req, List<String> s) {
        Token token = authenticate(req);
        if (s.size() == 1 && s.get(0).equals("$batch") && req.method.equals("POST")) {
            return batch(req);
        }
        if (s.get(0).equals("subscriptions")) {
            return subscriptionsApi(req, token, s);
        }
        if (!s.get(0).equals("users") || s.size() < 2) {
            throw new GraphError(400, "BadRequest", "Resource not found for the segment '" + s.get(0) + "'.");
        }
        User user = userFor(token, s.get(1));
        List<String> rest = s.subList(2, s.size());
        Map<String, String> idType = immutableIds(req);
        String m = req.method;
        if (rest.isEmpty() && m.equals("GET")) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("@odata.context", graphUrl() + "/$metadata#users/$entity");
            body.put("id", user.id);
            body.put("mail", user.address);
            body.put("userPrincipalName", user.address);
            return jsonResp(200, body);
        }
        if (rest.size() == 1 && rest.get(0).equals("sendMail") && m.equals("POST")) {
            return sendMail(req, user);
        }
        if (rest.size() == 1 && rest.get(0).equals("translateExchangeIds") && m.equals("POST")) {
            return translateExchangeIds(req, user);
        }
        if (rest.get(0).equalsIgnoreCase("mailFolders")) {
            if (rest.size() == 1 && m.equals("GET")) {
                return folderPage(req, user, folderOrThrow(user, "msgfolderroot"), "mailFolders");
            }
            Folder folder = folderOrThrow(user, rest.get(1));
            if (rest.size() == 2 && m.equals("GET")) {
                return jsonResp(200, folderJson(user, folder, true), idType);
            }
            if (rest.size() == 3 && rest.get(2).equalsIgnoreCase("childFolders") && m.equals("GET")) {
                return folderPage(req, user, folder, "mailFolders/" + folder.id + "/childFolders");
            }
            if (rest.size() == 4 && rest.get(2).equalsIgnoreCase("messages")
                    && rest.get(3).equalsIgnoreCase("delta") && m.equals("GET")) {
                return delta(req, user, folder, idType);
            }
            if (rest.size() == 3 && rest.get(2).equalsIgnoreCase("messages") && m.equals("GET")) {
                return messagePage(req, user, folder, idType);
            }
        }
        if (rest.size() == 1 && rest.get(0).equalsIgnoreCase("messages") && m.equals("POST")) {
            return createDraft(req, user);
        }
        Draft draft;
        synchronized (this) {
            draft = rest.size() >= 2 && rest.get(0).equalsIgnoreCase("messages") ? user.drafts.get(rest.get(1)) : null;
        }
        if (draft != null) {
            return draftApi(req, user, draft, rest.subList(2, rest.size()));
        }
        if (rest.get(0).equalsIgnoreCase("messages") && rest.size() >= 2) {
            Msg msg;
            synchronized (this) {
                msg = user.messages.get(rest.get(1));
            }
            if (msg == null) {
                throw new GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
            }
            if (rest.size() == 3 && rest.get(2).equals("$value") && m.equals("GET")) {
                return new Resp(200, Map.of("Content-Type", "text/plain"), msg.mime.clone());
            }
            if (rest.size() == 2 && m.equals("GET")) {
                return jsonResp(200, messageJson(user, msg, req.query.get("$select"), true), idType);
            }
            if (rest.size() == 2 && m.equals("PATCH")) {
                return patchMessage(req, user, msg, idType);
            }
            if (rest.size() == 2 && m.equals("DELETE")) {
                deleteMessage(user.id, msg.id);
                return new Resp(204, Map.of(), new byte[0]);
            }
        }
        throw new GraphError(400, "BadRequest", "Unsupported request: " + m + " " + decode(req.path));
    }

    private Token authenticate(Req req) {
        String auth = req.header("authorization");
        Map<String, String> challenge = Map.of("WWW-Authenticate", "Bearer realm=\"\", authorization_uri="
                + "\"https://login.microsoftonline.com/common/oauth2/authorize\", "
                + "client_id=\"00000003-0000-0000-c000-000000000000\"");
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new GraphError(401, "InvalidAuthenticationToken", "Access token is empty.", challenge);
        }
        Token token;
        synchronized (this) {
            token = tokens.get(auth.substring(7).trim());
        }
        if (token == null) {
            throw new GraphError(401, "InvalidAuthenticationToken", "IDX14100: JWT is not well formed.", challenge);
        }
        if (!token.expires.isAfter(Instant.now())) {
            throw new GraphError(401, "InvalidAuthenticationToken",
                    "Lifetime validation failed, the token is expired.", challenge);
        }
        return token;
    }

    private synchronized User userFor(Token token, String idOrAddress) {
        for (User u : usersNamed(idOrAddress)) {
            if (u.tenant.equals(token.tenant)) {
                return u;
            }
        }
        throw new GraphError(404, "ErrorInvalidUser", "The requested user '" + idOrAddress + "' is invalid.");
    }

    private static Map<String, String> immutableIds(Req req) {
        String prefer = req.header("prefer");
        return prefer != null && prefer.contains("IdType=\"ImmutableId\"")
                ? Map.of("Preference-Applied", "IdType=\"ImmutableId\"") : Map.of();
    }

    // --- folders ---

    private synchronized Folder folderOrThrow(User user, String idOrName) {
        Folder folder = findFolder(user, idOrName);
        if (folder == null && malformed(idOrName, "restId")) {
            throw new GraphError(400, "ErrorInvalidIdMalformed", "Id is malformed.");
        }
        if (folder == null) {
            throw new GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
        }
        return folder;
    }

    private Resp folderPage(Req req, User user, Folder parent, String relative) {
        int top = intParam(req, "$top", DEFAULT_PAGE);
        int skip = intParam(req, "$skip", 0);
        List<Object> value = new ArrayList<>();
        int total;
        synchronized (this) {
            List<Folder> children = user.folders.values().stream().filter(f -> parent.id.equals(f.parentId)).toList();
            total = children.size();
            for (Folder f : children.subList(Math.min(skip, total), Math.min(skip + top, total))) {
                value.add(folderJson(user, f, false));
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("@odata.context", graphUrl() + "/$metadata#users('" + user.id + "')/mailFolders");
        body.put("value", value);
        if (skip + top < total) {
            body.put("@odata.nextLink", graphUrl() + "/users/" + user.id + "/" + relative + "?%24top=" + top
                    + "&%24skip=" + (skip + top));
        }
        return jsonResp(200, body);
    }

    private synchronized Map<String, Object> folderJson(User user, Folder f, boolean withContext) {
        Map<String, Object> o = new LinkedHashMap<>();
        if (withContext) {
            o.put("@odata.context", graphUrl() + "/$metadata#users('" + user.id + "')/mailFolders/$entity");
        }
        long total = user.messages.values().stream().filter(m -> m.folderId.equals(f.id)).count();
        long unread = user.messages.values().stream().filter(m -> m.folderId.equals(f.id) && !m.isRead).count();
        o.put("id", f.id);
        o.put("displayName", f.displayName);
        o.put("parentFolderId", f.parentId);
        o.put("childFolderCount", user.folders.values().stream().filter(c -> f.id.equals(c.parentId)).count());
        o.put("unreadItemCount", unread);
        o.put("totalItemCount", total);
        o.put("sizeInBytes", user.messages.values().stream().filter(m -> m.folderId.equals(f.id))
                .mapToLong(m -> m.mime.length).sum());
        o.put("isHidden", false);
        return o;
    }

    // --- messages ---

    private Resp messagePage(Req req, User user, Folder folder, Map<String, String> idType) {
        int top = intParam(req, "$top", DEFAULT_PAGE);
        int skip = intParam(req, "$skip", 0);
        Predicate<Msg> filter = messageFilter(req.query.get("$filter"));
        Comparator<Msg> order = messageOrder(req.query.get("$orderby"), req.query.get("$filter"));
        List<Object> value = new ArrayList<>();
        int total;
        synchronized (this) {
            List<Msg> all = user.messages.values().stream().filter(m -> m.folderId.equals(folder.id))
                    .filter(filter).sorted(order).toList();
            total = all.size();
            for (Msg msg : all.subList(Math.min(skip, total), Math.min(skip + top, total))) {
                value.add(messageJson(user, msg, req.query.get("$select"), false));
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("@odata.context", graphUrl() + "/$metadata#users('" + user.id + "')/mailFolders('" + folder.id
                + "')/messages");
        body.put("value", value);
        if (skip + top < total) {
            body.put("@odata.nextLink", graphUrl() + "/users/" + user.id + "/mailFolders/" + folder.id
                    + "/messages?" + queryOptions(req, "$filter", "$orderby", "$select") + "%24top=" + top
                    + "&%24skip=" + (skip + top));
        }
        return jsonResp(200, body, idType);
    }

    private Resp patchMessage(Req req, User user, Msg msg, Map<String, String> idType) {
        Map<?, ?> patch = parseJson(req.body);
        synchronized (this) {
            if (patch.get("categories") instanceof List<?> list) {
                msg.categories = list.stream().map(String::valueOf).toList();
            }
            if (patch.get("isRead") instanceof Boolean read) {
                msg.isRead = read;
            }
            msg.modified = Instant.now();
            msg.modifiedSeq = ++sequence;
            msg.changeKey = "CQAAABYAAAA" + msg.modifiedSeq;
        }
        return jsonResp(200, messageJson(user, msg, null, true), idType);
    }

    private synchronized Map<String, Object> messageJson(User user, Msg msg, String select, boolean withContext) {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("@odata.etag", "W/\"" + msg.changeKey + "\"");
        all.put("id", msg.id);
        all.put("createdDateTime", graphTime(msg.created));
        all.put("lastModifiedDateTime", graphTime(msg.modified));
        all.put("changeKey", msg.changeKey);
        all.put("categories", msg.categories);
        all.put("receivedDateTime", graphTime(msg.received));
        MimeMessage mime = parseMime(msg.mime);
        try {
            all.put("sentDateTime", mime.getSentDate() == null ? graphTime(msg.received)
                    : graphTime(mime.getSentDate().toInstant()));
            all.put("hasAttachments", mime.getContentType() != null
                    && mime.getContentType().toLowerCase(Locale.ROOT).startsWith("multipart/mixed"));
            all.put("internetMessageId", mime.getMessageID());
            all.put("subject", mime.getSubject());
            all.put("importance", "normal");
            all.put("parentFolderId", msg.folderId);
            all.put("conversationId", "AAQkAD" + Integer.toHexString(String.valueOf(mime.getSubject()).hashCode()));
            all.put("isRead", msg.isRead);
            all.put("isDraft", false);
            Address[] from = mime.getFrom();
            all.put("from", from == null || from.length == 0 ? null : recipient(from[0]));
            all.put("sender", from == null || from.length == 0 ? null : recipient(from[0]));
            all.put("toRecipients", recipients(mime.getRecipients(RecipientType.TO)));
            all.put("ccRecipients", recipients(mime.getRecipients(RecipientType.CC)));
        } catch (Exception e) {
            // Unparseable MIME: the message still has its id and dates.
        }
        Map<String, Object> out = new LinkedHashMap<>();
        if (withContext) {
            out.put("@odata.context", graphUrl() + "/$metadata#users('" + user.id + "')/messages/$entity");
        }
        if (select == null || select.isBlank()) {
            out.putAll(all);
        } else {
            out.put("@odata.etag", all.get("@odata.etag"));
            out.put("id", msg.id);
            for (String field : select.split(",")) {
                String f = field.trim();
                if (all.containsKey(f)) {
                    out.put(f, all.get(f));
                }
            }
        }
        return out;
    }

    private static Map<String, Object> recipient(Address address) {
        Map<String, Object> email = new LinkedHashMap<>();
        if (address instanceof InternetAddress ia) {
            email.put("name", ia.getPersonal() == null ? ia.getAddress() : ia.getPersonal());
            email.put("address", ia.getAddress());
        } else {
            email.put("name", address.toString());
            email.put("address", address.toString());
        }
        return Map.of("emailAddress", email);
    }

    private static List<Object> recipients(Address[] addresses) {
        List<Object> out = new ArrayList<>();
        if (addresses != null) {
            for (Address a : addresses) {
                out.add(recipient(a));
            }
        }
        return out;
    }

    private static MimeMessage parseMime(byte[] mime) {
        try {
            return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(mime));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code $filter} on messages, as far as the fake reads it: comparisons ({@code eq ne gt ge lt le})
     * of a date property with an OData DateTimeOffset literal, which is not quoted
     * ({@code receivedDateTime ge 2023-12-01T00:00:00Z}), joined by {@code and}. Anything else is
     * answered 400, as Graph answers a clause it cannot parse.
     */
    private static Predicate<Msg> messageFilter(String filter) {
        Predicate<Msg> matches = m -> true;
        if (filter == null || filter.isBlank()) {
            return matches;
        }
        String[] words = filter.trim().split("\\s+");
        if ((words.length + 1) % 4 != 0) {
            throw invalidFilter(filter);
        }
        for (int i = 0; i < words.length; i += 4) {
            if (i + 3 < words.length && !words[i + 3].equalsIgnoreCase("and")) {
                throw invalidFilter(filter);
            }
            Function<Msg, Instant> property = dateProperty(words[i]);
            IntPredicate holds = switch (words[i + 1].toLowerCase(Locale.ROOT)) {
                case "eq" -> c -> c == 0;
                case "ne" -> c -> c != 0;
                case "gt" -> c -> c > 0;
                case "ge" -> c -> c >= 0;
                case "lt" -> c -> c < 0;
                case "le" -> c -> c <= 0;
                default -> throw invalidFilter(filter);
            };
            if (words[i + 2].startsWith("'")) {
                throw new GraphError(400, "BadRequest", "A binary operator with incompatible types was detected. "
                        + "Found operand types 'Edm.DateTimeOffset' and 'Edm.String' for operator kind '"
                        + words[i + 1] + "'.");
            }
            Instant literal;
            try {
                literal = OffsetDateTime.parse(words[i + 2]).toInstant();
            } catch (RuntimeException e) {
                throw invalidFilter(filter);
            }
            matches = matches.and(m -> holds.test(property.apply(m).compareTo(literal)));
        }
        return matches;
    }

    /**
     * {@code $orderby} on messages: one date property, ascending unless {@code desc}; without it Graph
     * lists the newest first. With a {@code $filter}, Graph wants the sorted property to be the first
     * one filtered on, and answers {@code InefficientFilter} otherwise.
     */
    private static Comparator<Msg> messageOrder(String orderBy, String filter) {
        if (orderBy == null || orderBy.isBlank()) {
            return Comparator.comparing((Msg m) -> m.received).reversed();
        }
        String[] words = orderBy.trim().split("\\s+");
        if (words.length > 2 || words.length == 2 && !words[1].matches("(?i)asc|desc")) {
            throw new GraphError(400, "BadRequest", "Invalid $orderby clause: '" + orderBy + "'.");
        }
        Comparator<Msg> order = Comparator.comparing(dateProperty(words[0]));
        if (filter != null && !filter.isBlank() && !filter.trim().split("\\s+")[0].equalsIgnoreCase(words[0])) {
            throw new GraphError(400, "InefficientFilter", "The restriction or sort order is too complex for this "
                    + "operation.");
        }
        return words.length == 2 && words[1].equalsIgnoreCase("desc") ? order.reversed() : order;
    }

    /** The date properties of a message that the fake filters and sorts by, by their Graph names. */
    private static Function<Msg, Instant> dateProperty(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "receiveddatetime" -> m -> m.received;
            case "createddatetime" -> m -> m.created;
            case "lastmodifieddatetime" -> m -> m.modified;
            default -> throw new GraphError(400, "BadRequest", "The fake Graph filters and sorts messages by "
                    + "receivedDateTime, createdDateTime and lastModifiedDateTime only, not by '" + name + "'.");
        };
    }

    private static GraphError invalidFilter(String filter) {
        return new GraphError(400, "BadRequest", "Invalid filter clause: '" + filter + "'.");
    }

    /** The named query options of a request, encoded for a next link, each followed by {@code &}. */
    private static String queryOptions(Req req, String... names) {
        StringBuilder options = new StringBuilder();
        for (String name : names) {
            String value = req.query.get(name);
            if (value != null) {
                options.append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
                        .append(URLEncoder.encode(value, StandardCharsets.UTF_8)).append('&');
            }
        }
        return options.toString();
    }

    // --- delta ---

    private Resp delta(Req req, User user, Folder folder, Map<String, String> idType) {
        String skipToken = req.query.get("$skiptoken");
        String deltaToken = req.query.get("$deltatoken");
        DeltaRound round;
        int offset;
        synchronized (this) {
            if (skipToken != null) {
                String[] parts = skipToken.split("\\.", 2);
                round = rounds.get(parts[0]);
                if (round == null || round.generation != deltaGeneration || !round.userId.equals(user.id)
                        || !round.folderId.equals(folder.id) || parts.length < 2) {
                    throw syncStateNotFound();
                }
                offset = Integer.parseInt(parts[1]);
            } else {
                long fromSeq = -1;
                String select = req.query.get("$select");
                if (deltaToken != null) {
                    String[] parts;
                    try {
                        parts = new String(Base64.getUrlDecoder().decode(deltaToken), StandardCharsets.UTF_8)
                                .split("\\|", -1);
                    } catch (IllegalArgumentException e) {
                        throw syncStateNotFound();
                    }
                    if (parts.length != 5 || !parts[0].equals(user.id) || !parts[1].equals(folder.id)
                            || Integer.parseInt(parts[2]) != deltaGeneration
                            || !deltaTokens.getOrDefault(user.id + "|" + folder.id, new ArrayDeque<>())
                                    .contains(deltaToken)) {
                        refusedDeltaTokens.merge(user.id, 1, Integer::sum);
                        throw syncStateNotFound();
                    }
                    fromSeq = Long.parseLong(parts[3]);
                    select = parts[4].isEmpty() ? null : parts[4];
                }
                long toSeq = sequence;
                long from = fromSeq;
                List<String> ids = user.messages.values().stream()
                        .filter(m -> m.folderId.equals(folder.id) && m.modifiedSeq > from && m.modifiedSeq <= toSeq)
                        .sorted(Comparator.comparingLong(m -> m.modifiedSeq)).map(m -> m.id).toList();
                List<String> removedIds = from < 0 ? List.of() : user.removed.stream()
                        .filter(r -> r.folderId.equals(folder.id) && r.seq > from && r.seq <= toSeq
                                && r.createdSeq <= from)
                        .map(Removed::id).toList();
                round = new DeltaRound(user.id, folder.id, deltaGeneration, toSeq, ids, removedIds,
                        pageSize(req), select);
                offset = 0;
            }
        }
        List<String> all = new ArrayList<>(round.ids);
        all.addAll(round.removedIds);
        int end = Math.min(offset + round.pageSize, all.size());
        List<Object> value = new ArrayList<>();
        // "Use delta query to track changes in Microsoft Graph data": the same resource may come more
        // than once in a round, in no promised order: each page comes shuffled, its first item twice.
        List<String> page = new ArrayList<>(all.subList(offset, end));
        if (!page.isEmpty()) {
            page.add(page.getFirst());
            Collections.shuffle(page, random);
        }
        synchronized (this) {
            for (String id : page) {
                Msg msg = user.messages.get(id);
                if (msg == null || !msg.folderId.equals(folder.id)) {
                    Map<String, Object> gone = new LinkedHashMap<>();
                    gone.put("@odata.type", "#microsoft.graph.message");
                    gone.put("id", id);
                    gone.put("@removed", Map.of("reason", "deleted"));
                    value.add(gone);
                } else {
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("@odata.type", "#microsoft.graph.message");
                    o.putAll(messageJson(user, msg, round.select, false));
                    value.add(o);
                }
            }
        }
        String base = graphUrl() + "/users/" + user.id + "/mailFolders('" + folder.id + "')/messages/delta";
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("@odata.context", graphUrl() + "/$metadata#Collection(message)");
        if (end < all.size()) {
            String roundId;
            synchronized (this) {
                roundId = UUID.randomUUID().toString().replace("-", "");
                rounds.put(roundId, round);
            }
            body.put("@odata.nextLink", base + "?%24skiptoken=" + roundId + "." + end);
        } else {
            String token = Base64.getUrlEncoder().withoutPadding().encodeToString((user.id + "|" + folder.id + "|"
                    + round.generation + "|" + round.toSeq + "|" + (round.select == null ? "" : round.select))
                    .getBytes(StandardCharsets.UTF_8));
            synchronized (this) {
                Deque<String> kept = deltaTokens.computeIfAbsent(user.id + "|" + folder.id,
                        key -> new ArrayDeque<>());
                kept.remove(token);
                kept.addLast(token);
                while (kept.size() > DELTA_TOKENS_KEPT) {
                    kept.removeFirst();
                }
            }
            body.put("@odata.deltaLink", base + "?%24deltatoken=" + token);
        }
        body.put("value", value);
        Map<String, String> headers = new LinkedHashMap<>(idType);
        String prefer = req.header("prefer");
        if (prefer != null && prefer.contains("odata.maxpagesize")) {
            headers.merge("Preference-Applied", "odata.maxpagesize=" + round.pageSize, (a, b) -> a + ", " + b);
        }
        return jsonResp(200, body, headers);
    }

    private static GraphError syncStateNotFound() {
        return new GraphError(410, "syncStateNotFound",
                "The sync state generation is not found. The delta token is expired and data must be synchronized again.");
    }

    private static int pageSize(Req req) {
        String prefer = req.header("prefer");
        if (prefer != null) {
            Matcher m = Pattern.compile("odata\\.maxpagesize=(\\d+)").matcher(prefer);
            if (m.find()) {
                return Math.max(1, Integer.parseInt(m.group(1)));
            }
        }
        return DEFAULT_PAGE;
    }

    // --- subscriptions ---

    private Resp subscriptionsApi(Req req, Token token, List<String> s) {
        if (s.size() == 1 && req.method.equals("POST")) {
            return createSubscription(req, token);
        }
        if (s.size() == 1 && req.method.equals("GET")) {
            List<Object> value = new ArrayList<>();
            synchronized (this) {
                expireSubscriptions();
                subscriptions.values().stream().filter(x -> x.tenant.equals(token.tenant))
                        .forEach(x -> value.add(subscriptionJson(x, false)));
            }
            return jsonResp(200, Map.of("@odata.context", graphUrl() + "/$metadata#subscriptions", "value", value));
        }
        Subscription sub;
        synchronized (this) {
            expireSubscriptions();
            sub = subscriptions.get(s.get(1));
        }
        if (sub == null || !sub.tenant.equals(token.tenant)) {
            throw new GraphError(404, "ResourceNotFound", "The object was not found.");
        }
        if (s.size() == 2 && req.method.equals("GET")) {
            return jsonResp(200, subscriptionJson(sub, true));
        }
        if (s.size() == 2 && req.method.equals("PATCH")) {
            Instant expires = expiration(parseJson(req.body).get("expirationDateTime"));
            synchronized (this) {
                sub.expires = expires;
            }
            return jsonResp(200, subscriptionJson(sub, true));
        }
        if (s.size() == 2 && req.method.equals("DELETE")) {
            synchronized (this) {
                subscriptions.remove(sub.id);
            }
            return new Resp(204, Map.of(), new byte[0]);
        }
        if (s.size() == 3 && s.get(2).equals("reauthorize") && req.method.equals("POST")) {
            return new Resp(204, Map.of(), new byte[0]);
        }
        throw new GraphError(405, "BadRequest", "Unsupported request on a subscription.");
    }

    private Resp createSubscription(Req req, Token token) {
        Map<?, ?> body = parseJson(req.body);
        String changeType = string(body, "changeType");
        String resource = string(body, "resource");
        String notificationUrl = string(body, "notificationUrl");
        String lifecycleUrl = body.get("lifecycleNotificationUrl") == null ? null
                : String.valueOf(body.get("lifecycleNotificationUrl"));
        String clientState = body.get("clientState") == null ? null : String.valueOf(body.get("clientState"));
        for (String type : changeType.split(",")) {
            if (!List.of("created", "updated", "deleted").contains(type.trim())) {
                throw new GraphError(400, "InvalidRequest", "Invalid change type '" + type + "'.");
            }
        }
        if (clientState != null && clientState.length() > 128) {
            throw new GraphError(400, "InvalidRequest", "clientState is longer than 128 characters.");
        }
        Matcher m = RESOURCE.matcher(resource);
        if (!m.matches()) {
            throw new GraphError(400, "ExtensionError", "Operation: Create; Exception: [Status Code: BadRequest; "
                    + "Reason: The resource '" + resource + "' is not supported.]");
        }
        User user = userFor(token, m.group(1));
        String folderRef = m.group(2) != null ? m.group(2) : m.group(3);
        String folderId = folderRef == null ? null : folderOrThrow(user, folderRef).id;
        Instant expires = expiration(body.get("expirationDateTime"));
        validate(notificationUrl);
        if (lifecycleUrl != null) {
            validate(lifecycleUrl);
        }
        Subscription sub = new Subscription(token.tenant, token.clientId, user.id, folderId, resource, changeType,
                notificationUrl, lifecycleUrl, clientState, expires);
        synchronized (this) {
            subscriptions.put(sub.id, sub);
        }
        return jsonResp(201, subscriptionJson(sub, true));
    }

    private Instant expiration(Object value) {
        if (value == null) {
            throw new GraphError(400, "InvalidRequest", "expirationDateTime is required.");
        }
        Instant expires;
        try {
            expires = OffsetDateTime.parse(value.toString()).toInstant();
        } catch (RuntimeException e) {
            throw new GraphError(400, "InvalidRequest", "Invalid expirationDateTime '" + value + "'.");
        }
        Instant now = Instant.now();
        if (!expires.isAfter(now)) {
            throw new GraphError(400, "InvalidRequest", "Subscription expiration must be in the future.");
        }
        Duration cap = subscriptionCap();
        if (expires.isAfter(now.plus(cap))) {
            throw new GraphError(400, "InvalidRequest", "Subscription expiration can only be "
                    + cap.toMinutes() + " minutes in the future.");
        }
        return expires;
    }

    /** Graph's validation handshake: the endpoint must echo the token as text/plain with 200 within 10 s. */
    private void validate(String url) {
        String validationToken = "Validation: Testing client application reachability for subscription Request-Id: "
                + UUID.randomUUID();
        String target = url + (url.contains("?") ? "&" : "?") + "validationToken="
                + URLEncoder.encode(validationToken, StandardCharsets.UTF_8);
        try {
            HttpResponse<String> response = outbound.send(HttpRequest.newBuilder(URI.create(target))
                    .timeout(Duration.ofSeconds(10)).header("Content-Type", "text/plain; charset=utf-8")
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            String contentType = response.headers().firstValue("Content-Type").orElse("");
            if (response.statusCode() == 200 && contentType.toLowerCase(Locale.ROOT).startsWith("text/plain")
                    && response.body().equals(validationToken)) {
                return;
            }
        } catch (IOException | RuntimeException e) {
            // Unreachable or too slow: refused below.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new GraphError(400, "ValidationError", "Subscription validation request failed. Notification "
                + "endpoint must respond with 200 OK to validation request.");
    }

    private synchronized void expireSubscriptions() {
        Instant now = Instant.now();
        subscriptions.values().removeIf(s -> !s.expires.isAfter(now));
    }

    private synchronized Map<String, Object> subscriptionJson(Subscription s, boolean withContext) {
        Map<String, Object> o = new LinkedHashMap<>();
        if (withContext) {
            o.put("@odata.context", graphUrl() + "/$metadata#subscriptions/$entity");
        }
        o.put("id", s.id);
        o.put("resource", s.resource);
        o.put("applicationId", s.clientId);
        o.put("changeType", s.changeType);
        o.put("clientState", s.clientState);
        o.put("notificationUrl", s.notificationUrl);
        o.put("lifecycleNotificationUrl", s.lifecycleUrl);
        o.put("expirationDateTime", graphTime(s.expires));
        o.put("creatorId", s.clientId);
        o.put("latestSupportedTlsVersion", "v1_2");
        o.put("encryptionCertificate", null);
        o.put("encryptionCertificateId", null);
        o.put("includeResourceData", false);
        o.put("notificationContentType", null);
        return o;
    }

    /** The posts a new message causes; built under the lock, run outside it. */
    private List<Runnable> changeNotifications(User user, Msg msg) {
        expireSubscriptions();
        List<Subscription> matching = subscriptions.values().stream()
                .filter(s -> s.userId.equals(user.id) && (s.folderId == null || s.folderId.equals(msg.folderId))
                        && s.changeType.contains("created"))
                .toList();
        if (matching.isEmpty()) {
            return List.of();
        }
        if (user.dropNotifications > 0) {
            user.dropNotifications--;
            return List.of();
        }
        List<Runnable> posts = new ArrayList<>();
        for (Subscription s : matching) {
            Map<String, Object> resourceData = new LinkedHashMap<>();
            resourceData.put("@odata.type", "#Microsoft.Graph.Message");
            resourceData.put("@odata.id", "Users/" + user.id + "/Messages/" + msg.id);
            resourceData.put("@odata.etag", "W/\"" + msg.changeKey + "\"");
            resourceData.put("id", msg.id);
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("subscriptionId", s.id);
            item.put("subscriptionExpirationDateTime", graphTime(s.expires));
            item.put("changeType", "created");
            item.put("resource", "Users/" + user.id + "/Messages/" + msg.id);
            item.put("resourceData", resourceData);
            item.put("clientState", s.clientState);
            item.put("tenantId", s.tenant);
            String body = json.writeValueAsString(Map.of("value", List.of(item)));
            posts.add(() -> post("change", s.id, s.notificationUrl, body));
        }
        return posts;
    }

    private int post(String kind, String subscriptionId, String url, String body) {
        int status = -1;
        try {
            status = outbound.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json; charset=utf-8")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException | RuntimeException e) {
            // Not answered: recorded as -1.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        notificationsSent.add(new Notification(kind, subscriptionId, url, body, status));
        return status;
    }

    // --- sendMail ---

    private Resp sendMail(Req req, User user) {
        String contentType = req.header("content-type") == null ? "" : req.header("content-type").toLowerCase(Locale.ROOT);
        byte[] mime;
        boolean save;
        if (contentType.startsWith("text/plain")) {
            mime = mimeContent(req);
            user.sentMime.add(mime);
            save = true;
        } else if (contentType.startsWith("application/json")) {
            Map<?, ?> body = parseJson(req.body);
            if (!(body.get("message") instanceof Map<?, ?> message)) {
                throw new GraphError(400, "ErrorInvalidRequest", "The message is missing.");
            }
            int recipients = 0;
            for (String field : List.of("toRecipients", "ccRecipients", "bccRecipients")) {
                if (message.get(field) instanceof List<?> list) {
                    recipients += list.size();
                }
            }
            if (recipients == 0) {
                throw new GraphError(400, "ErrorInvalidRecipients",
                        "At least one recipient is required, but none were found.");
            }
            user.sentJson.add(new String(req.body, StandardCharsets.UTF_8));
            save = !Boolean.FALSE.equals(body.get("saveToSentItems"));
            mime = composeMime(user, message);
        } else {
            throw new GraphError(415, "UnsupportedMediaType", "Content-Type must be application/json or text/plain.");
        }
        if (save) {
            createMessage(user.id, folderId(user.id, "sentitems"), mime);
        }
        return new Resp(202, Map.of(), new byte[0]);
    }

    /** A text/plain body holding MIME in Base64, as sendMail and a MIME draft take it. */
    private static byte[] mimeContent(Req req) {
        byte[] mime;
        try {
            mime = Base64.getMimeDecoder().decode(new String(req.body, StandardCharsets.US_ASCII).trim());
        } catch (IllegalArgumentException e) {
            throw new GraphError(400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content.");
        }
        if (mime.length == 0) {
            throw new GraphError(400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content.");
        }
        return mime;
    }

    // --- drafts, attachments, upload sessions ---

    /**
     * "Create message in MIME format": POST /users/{id}/messages with the MIME Base64 in a text/plain
     * body makes a draft; 201 with the message. (The fake keeps drafts apart from the folders' messages:
     * they are not listed in Drafts.)
     */
    private Resp createDraft(Req req, User user) {
        String contentType = req.header("content-type") == null ? "" : req.header("content-type").toLowerCase(Locale.ROOT);
        if (!contentType.startsWith("text/plain")) {
            throw new GraphError(400, "BadRequest", "The fake makes drafts from MIME only.");
        }
        byte[] mime = mimeContent(req);
        Draft draft = new Draft(newId("AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0B"), mime, new CopyOnWriteArrayList<>());
        synchronized (this) {
            user.drafts.put(draft.id, draft);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("@odata.context", graphUrl() + "/$metadata#users('" + user.id + "')/messages/$entity");
        body.put("id", draft.id);
        body.put("isDraft", true);
        return jsonResp(201, body);
    }

    private Resp draftApi(Req req, User user, Draft draft, List<String> rest) {
        String m = req.method;
        if (rest.isEmpty() && m.equals("DELETE")) {
            synchronized (this) {
                user.drafts.remove(draft.id);
            }
            return new Resp(204, Map.of(), new byte[0]);
        }
        if (rest.size() == 1 && rest.get(0).equals("attachments") && m.equals("POST")) {
            Map<?, ?> body = parseJson(req.body);
            if (!"#microsoft.graph.fileAttachment".equals(body.get("@odata.type"))
                    || !(body.get("contentBytes") instanceof String bytes) || !(body.get("name") instanceof String name)) {
                throw new GraphError(400, "ErrorInvalidRequest", "A fileAttachment needs a name and contentBytes.");
            }
            FileAttachment file = new FileAttachment(newId("AAMkAGI2"), name, contentType(body.get("contentType")),
                    Base64.getDecoder().decode(bytes), Boolean.TRUE.equals(body.get("isInline")),
                    body.get("contentId") == null ? null : String.valueOf(body.get("contentId")));
            draft.attachments.add(file);
            return jsonResp(201, Map.of("id", file.id, "name", file.name, "size", file.content.length));
        }
        if (rest.size() == 2 && rest.get(0).equals("attachments") && rest.get(1).equals("createUploadSession")
                && m.equals("POST")) {
            Map<?, ?> body = parseJson(req.body);
            if (!(body.get("AttachmentItem") instanceof Map<?, ?> item) || !"file".equals(item.get("attachmentType"))
                    || !(item.get("name") instanceof String name) || !(item.get("size") instanceof Number size)) {
                throw new GraphError(400, "ErrorInvalidRequest", "AttachmentItem needs attachmentType file, a name and a size.");
            }
            if (size.longValue() < UPLOAD_SESSION_MINIMUM) {
                throw new GraphError(400, "ErrorAttachmentSizeShouldNotBeLessThanMinimumSize",
                        "Attachment size must be greater than the minimum size.");
            }
            if (size.longValue() > ATTACHMENT_LIMIT) {
                throw new GraphError(400, "ErrorAttachmentSizeShouldNotBeMoreThanMaximumSize",
                        "Attachment size must be less than the maximum size.");
            }
            String token = newId("");
            FileAttachment expected = new FileAttachment(newId("AAMkAGI2"), name, contentType(item.get("contentType")),
                    null, Boolean.TRUE.equals(item.get("isInline")),
                    item.get("contentId") == null ? null : String.valueOf(item.get("contentId")));
            synchronized (this) {
                uploads.put(token, new Upload(user.id, draft.id, expected, size.longValue()));
            }
            Map<String, Object> session = new LinkedHashMap<>();
            session.put("@odata.context", graphUrl() + "/$metadata#microsoft.graph.uploadSession");
            session.put("uploadUrl", baseUrl() + "/upload/" + token);
            session.put("expirationDateTime", graphTime(Instant.now().plus(Duration.ofHours(1))));
            session.put("nextExpectedRanges", List.of("0-"));
            return jsonResp(201, session);
        }
        if (rest.size() == 1 && rest.get(0).equals("send") && m.equals("POST")) {
            if (req.body.length > 0) {
                throw new GraphError(400, "ErrorInvalidRequest", "send takes no body.");
            }
            synchronized (this) {
                if (uploads.values().stream().anyMatch(u -> u.draftId.equals(draft.id))) {
                    throw new GraphError(400, "ErrorInvalidOperation", "An attachment of the draft is still uploading.");
                }
                user.drafts.remove(draft.id);
            }
            byte[] mime = withAttachments(draft);
            user.sentMime.add(mime);
            createMessage(user.id, folderId(user.id, "sentitems"), mime);
            return new Resp(202, Map.of(), new byte[0]);
        }
        throw new GraphError(400, "BadRequest", "Unsupported request on a draft: " + m + " " + rest);
    }

    /**
     * A PUT of an upload session's next bytes, at the address the session named. "Attach large files
     * to Outlook messages or events": the address is pre-authenticated, "Don't specify an Authorization
     * request header" (one sent there is refused, as Outlook refuses Graph's token); each PUT names its
     * bytes in Content-Range, starting where nextExpectedRanges said, "up to 4 MB each time"; 200 with
     * the next start until the last, which 201 answers with the attachment's Location.
     */
    private Resp uploadRange(Req req, String token) {
        if (!req.method.equals("PUT")) {
            throw new GraphError(405, "MethodNotAllowed", "An upload session takes PUT.");
        }
        if (req.header("authorization") != null) {
            throw new GraphError(401, "InvalidAuthenticationToken",
                    "The upload address is pre-authenticated: an Authorization header is not taken.");
        }
        if (req.body.length > REQUEST_LIMIT) {
            throw new GraphError(413, "RequestEntityTooLarge", "One PUT of an upload session takes up to 4 MB.");
        }
        Matcher range = Pattern.compile("^bytes (\\d+)-(\\d+)/(\\d+)$")
                .matcher(req.header("content-range") == null ? "" : req.header("content-range").trim());
        synchronized (this) {
            Upload upload = uploads.get(token);
            if (upload == null) {
                throw new GraphError(404, "ErrorItemNotFound", "The upload session was not found.");
            }
            if (!range.matches()) {
                throw new GraphError(400, "InvalidContentRange", "Content-Range is missing or malformed.");
            }
            long from = Long.parseLong(range.group(1));
            long to = Long.parseLong(range.group(2));
            long total = Long.parseLong(range.group(3));
            if (total != upload.size || from != upload.received.size() || to - from + 1 != req.body.length) {
                throw new GraphError(400, "InvalidContentRange", "The range does not continue the upload: expected "
                        + upload.received.size() + "- of " + upload.size + ".");
            }
            upload.received.writeBytes(req.body);
            if (upload.received.size() < upload.size) {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("expirationDateTime", graphTime(Instant.now().plus(Duration.ofHours(1))));
                body.put("nextExpectedRanges", List.of(String.valueOf(upload.received.size())));
                return jsonResp(200, body);
            }
            uploads.remove(token);
            User user = user(upload.userId);
            Draft draft = user.drafts.get(upload.draftId);
            if (draft == null) {
                throw new GraphError(404, "ErrorItemNotFound", "The message of the upload session is gone.");
            }
            FileAttachment e = upload.expected;
            draft.attachments.add(new FileAttachment(e.id, e.name, e.contentType, upload.received.toByteArray(),
                    e.inline, e.contentId));
            return new Resp(201, Map.of("Location", graphUrl() + "/users('" + user.id + "')/messages('" + draft.id
                    + "')/attachments('" + e.id + "')"), new byte[0]);
        }
    }

    private static String contentType(Object named) {
        return named == null ? "application/octet-stream" : String.valueOf(named);
    }

    /** The draft's MIME with its attached files: what the recipients get. */
    private static byte[] withAttachments(Draft draft) {
        try {
            MimeMessage message = new MimeMessage(Session.getInstance(new Properties()),
                    new java.io.ByteArrayInputStream(draft.mime)) {
                @Override
                protected void updateMessageID() {
                    // Exchange keeps the Message-ID a MIME draft came with.
                }
            };
            if (!draft.attachments.isEmpty()) {
                MimeMultipart mixed = new MimeMultipart("mixed");
                MimeBodyPart original = new MimeBodyPart();
                Object content = message.getContent();
                if (content instanceof jakarta.mail.Multipart multipart) {
                    original.setContent(multipart);
                } else {
                    original.setContent(content, message.getContentType());
                }
                mixed.addBodyPart(original);
                for (FileAttachment file : draft.attachments) {
                    MimeBodyPart part = new MimeBodyPart();
                    part.setDataHandler(new jakarta.activation.DataHandler(
                            new jakarta.mail.util.ByteArrayDataSource(file.content, file.contentType)));
                    part.setFileName(file.name);
                    part.setDisposition(file.inline ? jakarta.mail.Part.INLINE : jakarta.mail.Part.ATTACHMENT);
                    if (file.contentId != null) {
                        part.setContentID("<" + file.contentId + ">");
                    }
                    mixed.addBodyPart(part);
                }
                message.setContent(mixed);
            }
            message.saveChanges();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            message.writeTo(out);
            return out.toByteArray();
        } catch (Exception e) {
            throw new GraphError(400, "ErrorInvalidRequest", "The draft could not be sent: " + e.getMessage());
        }
    }

    /** How many of the user's drafts are neither sent nor deleted. */
    public synchronized int openDrafts(String user) {
        return user(user).drafts.size();
    }

    private static byte[] composeMime(User user, Map<?, ?> message) {
        try {
            MimeMessage mime = new MimeMessage(Session.getInstance(new Properties()));
            mime.setFrom(new InternetAddress(user.address));
            for (var entry : Map.of("toRecipients", RecipientType.TO, "ccRecipients", RecipientType.CC).entrySet()) {
                if (message.get(entry.getKey()) instanceof List<?> list) {
                    for (Object r : list) {
                        Map<?, ?> email = (Map<?, ?>) ((Map<?, ?>) r).get("emailAddress");
                        mime.addRecipient(entry.getValue(), new InternetAddress(String.valueOf(email.get("address"))));
                    }
                }
            }
            mime.setSubject(message.get("subject") == null ? "" : String.valueOf(message.get("subject")), "UTF-8");
            Map<?, ?> body = message.get("body") instanceof Map<?, ?> b ? b : Map.of();
            String content = body.get("content") == null ? "" : String.valueOf(body.get("content"));
            boolean html = "html".equalsIgnoreCase(String.valueOf(body.get("contentType")));
            mime.setText(content, "UTF-8", html ? "html" : "plain");
            mime.setSentDate(new java.util.Date());
            mime.saveChanges();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            mime.writeTo(out);
            return out.toByteArray();
        } catch (Exception e) {
            throw new GraphError(400, "ErrorInvalidRequest", "The message could not be composed: " + e.getMessage());
        }
    }

    // --- $batch ---

    /** The user id a Graph path is about ({@code /v1.0/users/{id or address}/…}), or null. */
    private synchronized String mailboxOf(List<String> segments) {
        if (segments.size() < 3 || !segments.get(1).equalsIgnoreCase("users")) {
            return null;
        }
        String named = decode(segments.get(2)).toLowerCase(Locale.ROOT);
        List<User> users = usersByName.get(named);
        return users == null || users.isEmpty() ? named : users.getFirst().id;
    }

    private synchronized boolean enter(String mailbox, int requests) {
        int now = inFlight.getOrDefault(mailbox, 0);
        if (now + requests > MAILBOX_CONCURRENCY) {
            concurrencyRefusals.incrementAndGet();
            return false;
        }
        inFlight.put(mailbox, now + requests);
        return true;
    }

    private synchronized void leave(String mailbox, int requests) {
        inFlight.merge(mailbox, -requests, Integer::sum);
    }

    /** Counts a request against the mailbox's budget, or refuses it as Outlook does beyond. */
    private void spend(String mailbox) {
        GraphError refused = overBudget(mailbox);
        if (refused != null) {
            throw refused;
        }
    }

    /** Null when the mailbox's budget takes one more request (then counted), else the 429 to answer. */
    private synchronized GraphError overBudget(String mailbox) {
        Instant now = Instant.now();
        Deque<Instant> times = spent.computeIfAbsent(mailbox, m -> new ArrayDeque<>());
        while (!times.isEmpty() && !times.peekFirst().plus(mailboxWindow).isAfter(now)) {
            times.removeFirst();
        }
        if (times.size() < mailboxRequests) {
            times.addLast(now);
            return null;
        }
        budgetRefusals.incrementAndGet();
        Duration wait = Duration.between(now, times.peekFirst().plus(mailboxWindow));
        long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
        return new GraphError(429, "ApplicationThrottled", "Application is over its MailboxRequests limit.",
                Map.of("Retry-After", String.valueOf(seconds)));
    }

    /**
     * Narrows each mailbox's request budget from {@link #MAILBOX_REQUESTS} per {@link #MAILBOX_WINDOW}
     * (a sliding window), for a test to reach it.
     */
    public synchronized void mailboxBudget(int requests, Duration window) {
        mailboxRequests = requests;
        mailboxWindow = window;
        spent.clear();
    }

    /** How many requests (or batch members) were refused for a mailbox's request budget. */
    public long budgetRefusals() {
        return budgetRefusals.get();
    }

    private static GraphError overConcurrency() {
        return new GraphError(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.",
                Map.of("Retry-After", "1"));
    }

    /** How many of the user's delta links Graph refused as no longer known (410 syncStateNotFound). */
    public synchronized int refusedDeltaTokens(String user) {
        return refusedDeltaTokens.getOrDefault(userId(user), 0);
    }

    /** How many requests (or batch members) were refused for a mailbox's concurrency limit. */
    public long concurrencyRefusals() {
        return concurrencyRefusals.get();
    }

    private Resp batch(Req req) {
        Map<?, ?> body = parseJson(req.body);
        if (!(body.get("requests") instanceof List<?> list) || list.isEmpty()) {
            throw new GraphError(400, "BadRequest", "Invalid batch payload format.");
        }
        if (list.size() > BATCH_LIMIT) {
            throw new GraphError(400, "BadRequest", "Invalid batch payload format: more than " + BATCH_LIMIT
                    + " requests in a batch.");
        }
        // The members run at once: each takes a slot of its mailbox for the whole batch, as long as
        // the mailbox has one; the others are refused (none names dependsOn here).
        List<Object> responses = new ArrayList<>();
        Map<String, Integer> taken = new HashMap<>();
        try {
            for (Object o : list) {
                Map<?, ?> r = (Map<?, ?>) o;
                String memberUrl = String.valueOf(r.get("url"));
                String mailbox = mailboxOf(segments("/v1.0" + (memberUrl.startsWith("/") ? "" : "/")
                        + (memberUrl.contains("?") ? memberUrl.substring(0, memberUrl.indexOf('?')) : memberUrl)));
                GraphError overBudget = mailbox == null ? null : overBudget(mailbox);
                if (overBudget != null || mailbox != null && !enter(mailbox, 1)) {
                    GraphError refused = overBudget != null ? overBudget : overConcurrency();
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("id", r.get("id"));
                    out.put("status", refused.status);
                    out.put("headers", Map.of("Retry-After", refused.headers.getOrDefault("Retry-After", "1"),
                            "Content-Type", "application/json"));
                    out.put("body", Map.of("error", Map.of("code", refused.code, "message", refused.getMessage())));
                    responses.add(out);
                    continue;
                }
                if (mailbox != null) {
                    taken.merge(mailbox, 1, Integer::sum);
                }
                IN_BATCH.set(true);
                try {
                    responses.add(member(req, r));
                } finally {
                    IN_BATCH.set(false);
                }
            }
        } finally {
            taken.forEach((mailbox, requests) -> leave(mailbox, requests));
        }
        return jsonResp(200, Map.of("responses", responses));
    }

    /** One member of a {@code $batch}, run as the request it describes, and its answer in batch form. */
    private Map<String, Object> member(Req batch, Map<?, ?> r) {
        String url = String.valueOf(r.get("url"));
        if (!url.startsWith("/")) {
            url = "/" + url;
        }
        String rawPath = url.contains("?") ? url.substring(0, url.indexOf('?')) : url;
        String rawQuery = url.contains("?") ? url.substring(url.indexOf('?') + 1) : null;
        Map<String, String> headers = new HashMap<>();
        if (batch.header("authorization") != null) {
            headers.put("authorization", batch.header("authorization"));
        }
        if (r.get("headers") instanceof Map<?, ?> h) {
            h.forEach((k, v) -> headers.put(String.valueOf(k).toLowerCase(Locale.ROOT), String.valueOf(v)));
        }
        byte[] inner = new byte[0];
        if (r.get("body") instanceof String text) {
            inner = text.getBytes(StandardCharsets.UTF_8);
        } else if (r.get("body") != null) {
            inner = json.writeValueAsBytes(r.get("body"));
            headers.putIfAbsent("content-type", "application/json");
        }
        Resp resp = dispatch(new Req(String.valueOf(r.get("method")).toUpperCase(Locale.ROOT), "/v1.0" + rawPath,
                query(rawQuery), headers, inner));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", r.get("id"));
        out.put("status", resp.status);
        out.put("headers", resp.headers);
        if (resp.body.length > 0) {
            String ct = resp.headers.getOrDefault("Content-Type", "");
            out.put("body", ct.startsWith("application/json") ? parseJson(resp.body)
                    : Base64.getEncoder().encodeToString(resp.body));
        }
        return out;
    }

    // --- translateExchangeIds ---

    /**
     * Translates folder ids between Graph's form ({@code restId}) and EWS's ({@code ewsId}), each id on
     * its own: one it cannot translate gets {@code errorDetails} in its place, not a failed call. Folders
     * have no immutable ids, so {@code restImmutableEntryId} as the target fails for each id. Message
     * ids are not modelled (answered as ids the fake cannot find), nor are the binary forms
     * ({@code entryId}, {@code immutableEntryId}: refused with 400). The error codes are the fake's
     * choice: Graph documents the shape of {@code errorDetails}, not its codes.
     */
    private Resp translateExchangeIds(Req req, User user) {
        Map<?, ?> body = parseJson(req.body);
        if (!(body.get("inputIds") instanceof List<?> inputIds) || inputIds.isEmpty()) {
            throw new GraphError(400, "ErrorInvalidParameter", "inputIds is required.");
        }
        if (inputIds.size() > 1000) {
            throw new GraphError(400, "ErrorInvalidParameter", "inputIds holds more than 1000 ids.");
        }
        String source = idType(body, "sourceIdType");
        String target = idType(body, "targetIdType");
        List<Object> value = new ArrayList<>();
        synchronized (this) {
            for (Object input : inputIds) {
                String id = String.valueOf(input);
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("sourceId", id);
                Folder folder = user.folders.values().stream()
                        .filter(f -> id.equals(source.equals("ewsId") ? ewsForm(f.id)
                                : source.equals("restId") ? f.id : null))
                        .findFirst().orElse(null);
                if (malformed(id, source)) {
                    result.put("errorDetails", Map.of("code", "ErrorInvalidIdMalformed",
                            "message", "Id is malformed."));
                } else if (folder == null) {
                    result.put("errorDetails", Map.of("code", "ErrorItemNotFound",
                            "message", "The specified object was not found in the store."));
                } else if (target.equals("restId") || target.equals("ewsId")) {
                    result.put("targetId", target.equals("ewsId") ? ewsForm(folder.id) : folder.id);
                } else {
                    result.put("errorDetails", Map.of("code", "ErrorInvalidIdNotAnItemId",
                            "message", "Folders have no immutable id."));
                }
                value.add(result);
            }
        }
        return jsonResp(200, Map.of("@odata.context",
                graphUrl() + "/$metadata#Collection(microsoft.graph.convertIdResult)", "value", value));
    }

    private static String idType(Map<?, ?> body, String field) {
        String type = string(body, field);
        if (!List.of("entryId", "ewsId", "immutableEntryId", "restId", "restImmutableEntryId").contains(type)) {
            throw new GraphError(400, "BadRequest", "The value '" + type + "' is not valid for " + field + ".");
        }
        if (type.equals("entryId") || type.equals("immutableEntryId")) {
            throw new GraphError(400, "BadRequest", "The fake Graph does not model " + type + ".");
        }
        return type;
    }

    /** An id outside its form's base64 alphabet: standard for EWS, URL-safe for Graph. */
    private static boolean malformed(String id, String idType) {
        String foreign = idType.equals("ewsId") ? "-_" : "+/";
        return id.chars().anyMatch(c -> foreign.indexOf(c) >= 0);
    }

    private static String ewsForm(String graphId) {
        return graphId.replace('-', '/').replace('_', '+');
    }

    /** A folder id with a {@code -} or {@code _} in it, so that its EWS form differs. */
    private String newFolderId(String prefix) {
        String id = newId(prefix);
        while (ewsForm(id).equals(id)) {
            id = newId(prefix);
        }
        return id;
    }

    // --- helpers ---

    private Resp jsonResp(int status, Object body) {
        return jsonResp(status, body, Map.of());
    }

    private Resp jsonResp(int status, Object body, Map<String, String> extra) {
        Map<String, String> headers = new LinkedHashMap<>(extra);
        headers.put("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8");
        return new Resp(status, headers, json.writeValueAsBytes(body));
    }

    private Map<?, ?> parseJson(byte[] body) {
        try {
            return json.readValue(body, Map.class);
        } catch (RuntimeException e) {
            throw new GraphError(400, "BadRequest", "Unable to read JSON request payload.");
        }
    }

    private static String string(Map<?, ?> body, String field) {
        Object value = body.get(field);
        if (value == null || value.toString().isBlank()) {
            throw new GraphError(400, "InvalidRequest", field + " is required.");
        }
        return value.toString();
    }

    private static int intParam(Req req, String name, int fallback) {
        String v = req.query.get(name);
        try {
            return v == null ? fallback : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new GraphError(400, "BadRequest", "Invalid value for " + name + ".");
        }
    }

    private User user(String idOrAddress) {
        List<User> named = usersNamed(idOrAddress);
        if (named.isEmpty()) {
            throw new IllegalArgumentException("no user " + idOrAddress);
        }
        return named.getFirst();
    }

    private List<User> usersNamed(String idOrAddress) {
        return usersByName.getOrDefault(idOrAddress.toLowerCase(Locale.ROOT), List.of());
    }

    private Folder folder(User user, String idOrName) {
        Folder folder = findFolder(user, idOrName);
        if (folder == null) {
            throw new IllegalArgumentException("no folder " + idOrName);
        }
        return folder;
    }

    private static Folder findFolder(User user, String idOrName) {
        Folder folder = user.folders.get(idOrName);
        if (folder == null) {
            String id = user.wellKnown.get(idOrName.toLowerCase(Locale.ROOT));
            folder = id == null ? null : user.folders.get(id);
        }
        return folder;
    }

    private String newId(String prefix) {
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes) + "AAA=";
    }

    private static String graphTime(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(key, value);
        }
        return out;
    }

    private static String decode(String rawPath) {
        return URLDecoder.decode(rawPath.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** Path segments, decoded, with OData key syntax {@code mailFolders('x')} split into two. */
    private static List<String> segments(String rawPath) {
        List<String> out = new ArrayList<>();
        for (String raw : rawPath.split("/")) {
            if (raw.isEmpty()) {
                continue;
            }
            String seg = decode(raw);
            Matcher key = ODATA_KEY.matcher(seg);
            if (key.matches()) {
                out.add(key.group(1));
                out.add(key.group(2));
            } else {
                out.add(seg);
            }
        }
        return out;
    }

    private static Map<String, String> wellKnown() {
        Map<String, String> names = new LinkedHashMap<>();
        names.put("inbox", "Inbox");
        names.put("sentitems", "Sent Items");
        names.put("drafts", "Drafts");
        names.put("deleteditems", "Deleted Items");
        names.put("junkemail", "Junk Email");
        names.put("archive", "Archive");
        return Collections.unmodifiableMap(names);
    }
}
