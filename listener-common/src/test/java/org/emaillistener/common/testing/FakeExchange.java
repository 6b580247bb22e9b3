package org.emaillistener.common.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.emaillistener.common.testing.FakeMailboxStore.Folder;
import org.emaillistener.common.testing.FakeMailboxStore.Item;
import org.emaillistener.common.testing.FakeMailboxStore.Mailbox;
import org.emaillistener.common.testing.FakeNotifications.Signal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A fake Exchange 2016 server speaking EWS SOAP over HTTP, for driving the real ews-java-api in
 * tests: mailboxes with a folder tree and messages, streaming notifications (Subscribe,
 * GetStreamingEvents, Unsubscribe), SyncFolderItems, GetItem, FindItem, FindFolder, GetFolder,
 * CreateItem, UpdateItem and SOAP Autodiscover's GetUserSettings, behind Basic or Bearer
 * authentication. Faults are scripted per operation ({@link #failNext}, {@link #failNextHttp}) and
 * the streams can be ended the clean way or the hard way ({@link #closeStreams}, {@link #dropStreams}).
 * There is no permission model: an authenticated user may reach any mailbox.
 */
public class FakeExchange implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FakeExchange.class);

    private static final String EWS_PATH = "/ews/exchange.asmx";
    private static final String AUTODISCOVER_PATH = "/autodiscover/autodiscover.svc";
    private static final String T = EwsXmlWriter.TYPES;
    /** What Exchange Online answers a Bearer token it no longer accepts with. */
    private static final String BEARER_CHALLENGE = "Bearer client_id=\"00000002-0000-0ff1-ce00-000000000000\", "
            + "trusted_issuers=\"00000001-0000-0000-c000-000000000000@*\", "
            + "token_types=\"app_asserted_user_v1 service_asserted_app_v1\", "
            + "authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", error=\"invalid_token\"";

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final FakeMailboxStore store = new FakeMailboxStore();
    private final FakeNotifications notifications;
    private final EwsOperations operations;
    private final EwsStreaming streaming;
    /** A document type declaration put in XML answers, as a hostile server would; null: none. */
    private volatile String doctype;
    private volatile boolean doctypeInStreamsOnly;
    private final AutodiscoverResponder autodiscover;
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    private final Set<String> revokedTokens = ConcurrentHashMap.newKeySet();
    private final Map<String, ConcurrentLinkedQueue<String>> scriptedErrors = new ConcurrentHashMap<>();
    private final Map<String, ConcurrentLinkedQueue<HttpFailure>> scriptedHttp = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile Duration heartbeatInterval = Duration.ofSeconds(45);
    private volatile Duration minuteLength = Duration.ofMinutes(1);
    private volatile String autodiscoverRedirect;
    private volatile boolean closed;

    private record HttpFailure(int status, Duration retryAfter) {
    }

    /** Who a request authenticated as, and how. */
    private record Caller(Mailbox mailbox, String bearerToken) {
    }

    public FakeExchange() throws IOException {
        notifications = new FakeNotifications(() -> minuteLength);
        operations = new EwsOperations(store, notifications);
        streaming = new EwsStreaming(notifications, () -> heartbeatInterval, () -> minuteLength, () -> closed,
                xml -> withDoctype(xml, true));
        autodiscover = new AutodiscoverResponder(store);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    // --- addresses ---

    public String ewsUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/EWS/Exchange.asmx";
    }

    public String autodiscoverUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/autodiscover/autodiscover.svc";
    }

    // --- mailboxes ---

    /** A mailbox with the well-known folders; Basic logon by its address, DOMAIN\local or local part. */
    public void addUser(String smtpAddress, String password) {
        store.addMailbox(smtpAddress, password);
    }

    /** Lets {@code Authorization: Bearer token} in as this user, until {@link #revokeToken}. */
    public void acceptToken(String smtpAddress, String token) {
        store.mailbox(smtpAddress);
        tokens.put(token, smtpAddress);
        revokedTokens.remove(token);
    }

    /**
     * Requests with this token are answered 401 from now on. Open streams stay open, as Exchange
     * does not cut a GetStreamingEvents response when the token that opened it expires.
     */
    public void revokeToken(String token) {
        revokedTokens.add(token);
    }

    /** The id of a well-known folder ("inbox", "sentitems", "msgfolderroot", ...). */
    public String folderId(String user, String distinguishedName) {
        synchronized (store) {
            Folder folder = store.mailbox(user).distinguished.get(distinguishedName.toLowerCase(Locale.ROOT));
            if (folder == null) {
                throw new IllegalArgumentException("no well-known folder " + distinguishedName);
            }
            return folder.id;
        }
    }

    public String addFolder(String user, String parentFolderId, String displayName, String folderClass) {
        return store.addFolder(store.mailbox(user), parentFolderId, displayName, folderClass).id;
    }

    /** Delivers a message now: see {@link #createMessage(String, String, byte[], Instant)}. */
    public String createMessage(String user, String folderId, byte[] mime) {
        return createMessage(user, folderId, mime, Instant.now());
    }

    /**
     * Delivers a message received at {@code receivedAt} (kept to the second, as EWS shows it): it is
     * stored, the folder's change log gains a Create, and subscriptions on the folder get
     * CreatedEvent, NewMailEvent and the folder's ModifiedEvent, the events Exchange raises for a
     * delivery.
     */
    public String createMessage(String user, String folderId, byte[] mime, Instant receivedAt) {
        return operations.deliver(ownFolder(user, folderId), mime, receivedAt).id;
    }

    /**
     * Delivers a message whose notifications Exchange lost (its event queue overflowed, a mailbox
     * moved between servers): it is stored and in the change log, but no subscription hears of it; the
     * user's next GetStreamingEvents opens with ErrorMissedNotificationEvents, as Exchange reports such
     * a loss.
     */
    public String createMessageLosingItsEvents(String user, String folderId, byte[] mime) {
        Folder folder = ownFolder(user, folderId);
        Item item = store.addItem(folder, mime, Instant.now());
        scriptedErrors.computeIfAbsent("GetStreamingEvents " + folder.owner.address, key -> new ConcurrentLinkedQueue<>())
                .add("ErrorMissedNotificationEvents");
        return item.id;
    }

    /** Deletes a message for good: a Delete in the change log, DeletedEvent to subscriptions. */
    public void deleteMessage(String user, String itemId) {
        operations.delete(ownItem(user, itemId));
    }

    /** The ids of the messages in a folder, oldest first. */
    public List<String> messageIds(String user, String folderId) {
        synchronized (store) {
            return ownFolder(user, folderId).items().stream().map(item -> item.id).toList();
        }
    }

    /** The MIME of every message the user sent (CreateItem SendOnly or SendAndSaveCopy), in order. */
    public List<byte[]> sentMime(String user) {
        synchronized (store) {
            return store.mailbox(user).sent.stream().map(byte[]::clone).toList();
        }
    }

    /** The Bcc recipients given with each sent message (not in its MIME), in order. */
    public List<List<String>> blindCopies(String user) {
        synchronized (store) {
            return List.copyOf(store.mailbox(user).sentBlindCopies);
        }
    }

    public Set<String> categories(String user, String itemId) {
        synchronized (store) {
            return Set.copyOf(ownItem(user, itemId).categories);
        }
    }

    // --- timing ---

    /** How often an idle stream gets a ConnectionStatus OK message (Exchange: about every 45 s). */
    public void setHeartbeatInterval(Duration interval) {
        this.heartbeatInterval = interval;
    }

    /**
     * The length of the "minute" of GetStreamingEvents' ConnectionTimeout and of subscription
     * lifetimes, so a test can live through a 1-minute connection in a second.
     */
    public void setMinuteLength(Duration minute) {
        this.minuteLength = minute;
    }

    // --- autodiscover ---

    /** GetUserSettings answers every user with a RedirectUrl error pointing at {@code url}; null undoes it. */
    public void redirectAutodiscoverTo(String url) {
        this.autodiscoverRedirect = url;
    }

    // --- faults ---

    /**
     * The next call of {@code operation} (Subscribe, GetStreamingEvents, SyncFolderItems, GetItem,
     * GetUserSettings, ...) gets ResponseClass="Error" with this ResponseCode in each of its response
     * messages. For GetStreamingEvents the error is the first message of the stream, carrying the
     * request's ids in ErrorSubscriptionIds when the code concerns subscriptions; the stream then
     * ends, except after ErrorMissedNotificationEvents. {@code ErrorServerBusy} is answered as Exchange
     * throttles: HTTP 500 with a SOAP fault carrying BackOffMilliseconds. The code must be one of
     * ews-java-api's {@code ServiceError} names, or the library fails to parse the answer.
     */
    public void failNext(String operation, String responseCode) {
        scriptedErrors.computeIfAbsent(operation, key -> new ConcurrentLinkedQueue<>()).add(responseCode);
    }

    /** The next call of {@code operation} is answered with this HTTP status (503 with Retry-After: 1). */
    public void failNextHttp(String operation, int status) {
        failNextHttp(operation, status, status == 503 ? Duration.ofSeconds(1) : null);
    }

    public void failNextHttp(String operation, int status, Duration retryAfter) {
        scriptedHttp.computeIfAbsent(operation, key -> new ConcurrentLinkedQueue<>()).add(new HttpFailure(status, retryAfter));
    }

    /** Forgets every subscription, as a server restart or mailbox move does: ErrorSubscriptionNotFound. */
    public void expireSubscriptions() {
        notifications.forgetAll();
    }

    /** Cuts every open stream's TCP connection mid-response, without ConnectionStatus Closed. */
    public void dropStreams() {
        notifications.signalAll(Signal.DROP);
    }

    /**
     * Every GetStreamingEvents of this user is cut right after its headers (or, with false, no longer):
     * a server that drops streams at once, against which a client must back off.
     */
    public void dropEveryStreamOf(String user, boolean drop) {
        FakeMailboxStore.Mailbox mailbox;
        synchronized (store) {
            mailbox = store.mailbox(user);
        }
        streaming.dropAtOnce(mailbox, drop);
    }

    /** Ends every open stream now the clean way: ConnectionStatus Closed, then the end of the response. */
    public void closeStreams() {
        notifications.signalAll(Signal.CLOSE);
    }

    public int openStreams() {
        return notifications.openConnections();
    }

    /** The streaming subscriptions of one user the server still knows. */
    public int subscriptions(String user) {
        FakeMailboxStore.Mailbox mailbox;
        synchronized (store) {
            mailbox = store.mailbox(user);
        }
        return notifications.subscriptionCount(mailbox);
    }

    /** How many GetStreamingEvents were refused with ErrorExceededConnectionCount. */
    public int exceededConnectionCount() {
        return streaming.exceededConnectionCount.get();
    }

    /** The open GetStreamingEvents connections of one user. */
    public int openStreams(String user) {
        FakeMailboxStore.Mailbox mailbox;
        synchronized (store) {
            mailbox = store.mailbox(user);
        }
        return notifications.openConnections(mailbox);
    }

    // --- observation ---

    /** {@code "<Operation> <user>"} for every authenticated SOAP request, in arrival order. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    public void clearRequests() {
        requests.clear();
    }

    /** Stops the server at once: open streams are cut (the clients see their connection drop). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        notifications.signalAll(Signal.DROP);
        server.stop(0);
        executor.shutdownNow();
    }

    // --- HTTP ---

    private void handle(HttpExchange exchange) throws IOException {
        boolean streamed = false;
        try {
            String path = exchange.getRequestURI().getPath().toLowerCase(Locale.ROOT);
            boolean ews = path.equals(EWS_PATH);
            if (!ews && !path.equals(AUTODISCOVER_PATH)) {
                send(exchange, 404, null);
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod())) {
                send(exchange, 405, null);
                return;
            }
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            log.trace("{} {}", path, new String(body, StandardCharsets.UTF_8));
            Caller caller = authenticate(exchange);
            if (caller == null) {
                return;
            }
            Document document;
            try {
                document = EwsDom.parse(body);
            } catch (Exception e) {
                send(exchange, 400, null);
                return;
            }
            Element envelope = document.getDocumentElement();
            Element header = EwsDom.child(envelope, EwsXmlWriter.SOAP, "Header");
            Element request = EwsDom.firstChild(EwsDom.child(envelope, EwsXmlWriter.SOAP, "Body"));
            if (request == null) {
                send(exchange, 400, null);
                return;
            }
            String operation = ews ? request.getLocalName() : request.getLocalName().replace("RequestMessage", "");
            Mailbox acting = ews ? impersonated(header, caller.mailbox()) : caller.mailbox();
            requests.add(operation + " " + acting.address);
            log.debug("{} {}", operation, acting.address);

            HttpFailure failure = poll(scriptedHttp, operation);
            if (failure != null) {
                if (failure.retryAfter() != null) {
                    exchange.getResponseHeaders().add("Retry-After", String.valueOf(failure.retryAfter().toSeconds()));
                }
                if (failure.status() == 401) {
                    exchange.getResponseHeaders().add("WWW-Authenticate",
                            caller.bearerToken() != null ? BEARER_CHALLENGE : basicChallenge());
                }
                send(exchange, failure.status(), null);
                return;
            }
            String scripted = poll(scriptedErrors, operation + " " + acting.address);
            if (scripted == null) {
                scripted = poll(scriptedErrors, operation);
            }
            if ("ErrorServerBusy".equals(scripted)) {
                send(exchange, 500, EwsXmlWriter.fault(scripted, EwsErrors.messageText(scripted), 5_000L));
                return;
            }
            if ("Subscribe".equals(operation) && preferAffinity(exchange)) {
                // Exchange marks it secure too; the fake speaks plain http, where a client keeps no secure cookie.
                exchange.getResponseHeaders().add("Set-Cookie", AFFINITY_COOKIE + "=" + backEnd(acting)
                        + "; path=/; HttpOnly");
            }
            if ("GetStreamingEvents".equals(operation)) {
                streamed = true;
                if (scripted == null && !affine(exchange, acting)) {
                    // Landed on another mailbox server, which knows none of these subscriptions.
                    scripted = "ErrorSubscriptionNotFound";
                }
                streaming.serve(exchange, request, acting, scripted);
                return;
            }
            String response = ews ? operations.answer(operation, request, acting, scripted)
                    : autodiscover.getUserSettings(request, scripted, autodiscoverRedirect, ewsUrl());
            send(exchange, response == null ? 500 : 200, response == null
                    ? EwsXmlWriter.fault("ErrorInvalidRequest", EwsErrors.messageText("ErrorInvalidRequest"), null)
                    : response);
        } catch (EwsStreaming.StreamDropped e) {
            // Let it through: the HTTP server then closes the connection without ending the chunked body.
            throw e;
        } catch (IOException e) {
            log.debug("client went away: {}", e.toString());
            exchange.close();
        } catch (RuntimeException e) {
            log.warn("fake Exchange failed on a request", e);
            if (!streamed) {
                send(exchange, 500, EwsXmlWriter.fault("ErrorInternalServerError",
                        EwsErrors.messageText("ErrorInternalServerError"), null));
            }
            exchange.close();
        }
    }

    /**
     * Basic (any of the logon forms Exchange accepts) or a Bearer token; otherwise answers 401 with
     * the challenge Exchange sends and returns null.
     */
    private Caller authenticate(HttpExchange exchange) throws IOException {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = authorization.substring(7).trim();
            String user = tokens.get(token);
            if (user != null && !revokedTokens.contains(token)) {
                return new Caller(store.mailbox(user), token);
            }
            exchange.getResponseHeaders().add("WWW-Authenticate", BEARER_CHALLENGE);
            exchange.getResponseHeaders().add("x-ms-diagnostics",
                    "2000008;reason=\"The token has expired.\";error_category=\"invalid_token\"");
            send(exchange, 401, null);
            return null;
        }
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                decoded = "";
            }
            int colon = decoded.indexOf(':');
            if (colon > 0) {
                Mailbox mailbox = store.mailboxForLogon(decoded.substring(0, colon));
                if (mailbox != null && mailbox.password.equals(decoded.substring(colon + 1))) {
                    return new Caller(mailbox, null);
                }
            }
        }
        exchange.getResponseHeaders().add("WWW-Authenticate", basicChallenge());
        send(exchange, 401, null);
        return null;
    }

    private String basicChallenge() {
        return "Basic realm=\"127.0.0.1\"";
    }

    /** Exchange-impersonation SOAP header: the service account acts as the named mailbox. */
    private Mailbox impersonated(Element header, Mailbox caller) {
        Element impersonation = EwsDom.child(header, T, "ExchangeImpersonation");
        if (impersonation == null) {
            return caller;
        }
        Element sid = EwsDom.child(impersonation, T, "ConnectingSID");
        for (String name : List.of("SmtpAddress", "PrimarySmtpAddress", "PrincipalName")) {
            String address = EwsDom.text(sid, T, name);
            if (address != null) {
                Mailbox mailbox = store.mailboxForLogon(address);
                return mailbox != null ? mailbox : caller;
            }
        }
        return caller;
    }

    /** The headers IIS and Exchange's front end put on every answer. */
    static void serverHeaders(HttpExchange exchange) {
        exchange.getResponseHeaders().add("Server", "Microsoft-IIS/10.0");
        exchange.getResponseHeaders().add("request-id", UUID.randomUUID().toString());
        exchange.getResponseHeaders().add("X-AspNet-Version", "4.0.30319");
        exchange.getResponseHeaders().add("X-Powered-By", "ASP.NET");
        exchange.getResponseHeaders().add("X-FEServer", "FAKEEXCH01");
    }

    /**
     * From now on XML answers carry this document type declaration, as the server of whoever
     * registered a mailbox on their own address could send (a real Exchange never does: SOAP 1.1
     * forbids a DTD in a message); null: none again. A DOCTYPE whose external subset or parameter
     * entities point at a URL makes a parser that processes DTDs fetch it.
     *
     * @param inStreamsOnly only the first envelope of each GetStreamingEvents stream, which
     *        ews-java-api reads with a reader of its own; else every answer
     */
    public void serveDoctype(String doctype, boolean inStreamsOnly) {
        this.doctypeInStreamsOnly = inStreamsOnly;
        this.doctype = doctype;
    }

    /** The document with the served DOCTYPE: after its XML declaration, else before its root element. */
    private String withDoctype(String xml, boolean streamed) {
        String declaration = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
        String current = doctype;
        if (current == null || xml == null || !streamed && doctypeInStreamsOnly) {
            return xml;
        }
        return xml.startsWith(declaration) ? declaration + current + xml.substring(declaration.length())
                : current + xml;
    }

    /**
     * The affinity a site with more than one mailbox server needs for streaming notifications
     * ("Maintain affinity between a group of subscriptions and the mailbox server in Exchange",
     * learn.microsoft.com/exchange/client-developer/exchange-web-services/how-to-maintain-affinity-between-group-of-subscriptions-and-mailbox-server):
     * the Subscribe request carries {@code X-AnchorMailbox} and {@code X-PreferServerAffinity: true},
     * the answer sets the {@code X-BackEndOverrideCookie} naming the mailbox server, and every
     * GetStreamingEvents request carries the anchor, the affinity header and that cookie; without them
     * it may reach another server, which answers {@code ErrorSubscriptionNotFound}.
     */
    private static final String AFFINITY_COOKIE = "X-BackEndOverrideCookie";

    private static boolean preferAffinity(HttpExchange exchange) {
        return "true".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("X-PreferServerAffinity"));
    }

    private static boolean affine(HttpExchange exchange, Mailbox acting) {
        String anchor = exchange.getRequestHeaders().getFirst("X-AnchorMailbox");
        List<String> cookies = exchange.getRequestHeaders().getOrDefault("Cookie", List.of());
        return preferAffinity(exchange) && anchor != null && anchor.equalsIgnoreCase(acting.address)
                && cookies.stream().flatMap(header -> Arrays.stream(header.split(";"))).map(String::trim)
                        .anyMatch(cookie -> cookie.equals(AFFINITY_COOKIE + "=" + backEnd(acting)));
    }

    /** The mailbox server a mailbox lives on, as the cookie names it. */
    private static String backEnd(Mailbox mailbox) {
        return "MBX0" + Math.floorMod(mailbox.address.toLowerCase(Locale.ROOT).hashCode(), 4) + "~"
                + Integer.toUnsignedString(mailbox.address.toLowerCase(Locale.ROOT).hashCode());
    }

    private void send(HttpExchange exchange, int status, String answer) {
        String xml = withDoctype(answer, false);
        log.trace("answer {} {}", status, xml);
        try {
            serverHeaders(exchange);
            if (xml == null) {
                exchange.sendResponseHeaders(status, -1);
            } else {
                byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "text/xml; charset=utf-8");
                exchange.getResponseHeaders().add("Cache-Control", "private");
                exchange.sendResponseHeaders(status, bytes.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        } catch (IOException e) {
            log.debug("could not answer: {}", e.toString());
        } finally {
            exchange.close();
        }
    }

    private static <V> V poll(Map<String, ConcurrentLinkedQueue<V>> scripts, String operation) {
        ConcurrentLinkedQueue<V> queue = scripts.get(operation);
        return queue == null ? null : queue.poll();
    }

    private Folder ownFolder(String user, String folderId) {
        Mailbox mailbox = store.mailbox(user);
        Folder folder = store.folder(folderId);
        if (folder == null || folder.owner != mailbox) {
            throw new IllegalArgumentException("no folder " + folderId + " in " + user);
        }
        return folder;
    }

    private Item ownItem(String user, String itemId) {
        Mailbox mailbox = store.mailbox(user);
        Item item = store.item(itemId);
        if (item == null || item.owner != mailbox) {
            throw new IllegalArgumentException("no message " + itemId + " in " + user);
        }
        return item;
    }
}
