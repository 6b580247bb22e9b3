package org.emaillistener.common.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
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
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.emaillistener.common.testing.FakeMailboxStore.ChangeKind;
import org.emaillistener.common.testing.FakeMailboxStore.Folder;
import org.emaillistener.common.testing.FakeMailboxStore.Item;
import org.emaillistener.common.testing.FakeMailboxStore.Mailbox;
import org.emaillistener.common.testing.FakeNotifications.Connection;
import org.emaillistener.common.testing.FakeNotifications.Event;
import org.emaillistener.common.testing.FakeNotifications.Signal;
import org.emaillistener.common.testing.FakeNotifications.Subscription;
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
    private static final String M = EwsXmlWriter.MESSAGES;
    private static final String T = EwsXmlWriter.TYPES;
    private static final String A = EwsXmlWriter.AUTODISCOVER;
    /** "The first 50 events from the queue are pulled ... and encoded into a notification" (EWS reference). */
    private static final int EVENTS_PER_MESSAGE = 50;
    /** What Exchange Online answers a Bearer token it no longer accepts with. */
    private static final String BEARER_CHALLENGE = "Bearer client_id=\"00000002-0000-0ff1-ce00-000000000000\", "
            + "trusted_issuers=\"00000001-0000-0000-c000-000000000000@*\", "
            + "token_types=\"app_asserted_user_v1 service_asserted_app_v1\", "
            + "authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", error=\"invalid_token\"";

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final FakeMailboxStore store = new FakeMailboxStore();
    private final FakeNotifications notifications;
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

    /** A per-message EWS error: the operation goes on, this message says ResponseClass="Error". */
    private static final class EwsError extends RuntimeException {
        final String responseCode;

        EwsError(String responseCode) {
            super(responseCode, null, false, false);
            this.responseCode = responseCode;
        }
    }

    /** Thrown out of a streaming handler so the HTTP server closes the socket mid-response. */
    private static final class StreamDropped extends RuntimeException {
        StreamDropped() {
            super("stream dropped by the test", null, false, false);
        }
    }

    public FakeExchange() throws IOException {
        notifications = new FakeNotifications(() -> minuteLength);
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
        Folder folder = ownFolder(user, folderId);
        Item item = store.addItem(folder, mime, receivedAt);
        notifications.publish(folder, List.of(itemEvent("CreatedEvent", item), itemEvent("NewMailEvent", item),
                folderModified(folder)));
        return item.id;
    }

    /** Deletes a message for good: a Delete in the change log, DeletedEvent to subscriptions. */
    public void deleteMessage(String user, String itemId) {
        Item item = ownItem(user, itemId);
        store.deleteItem(item);
        notifications.publish(item.folder, List.of(itemEvent("DeletedEvent", item), folderModified(item.folder)));
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

    /** Ends every open stream now the clean way: ConnectionStatus Closed, then the end of the response. */
    public void closeStreams() {
        notifications.signalAll(Signal.CLOSE);
    }

    public int openStreams() {
        return notifications.openConnections();
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
        boolean streaming = false;
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
            String scripted = poll(scriptedErrors, operation);
            if ("ErrorServerBusy".equals(scripted)) {
                send(exchange, 500, EwsXmlWriter.fault(scripted, EwsErrors.messageText(scripted), 5_000L));
                return;
            }
            if ("GetStreamingEvents".equals(operation)) {
                streaming = true;
                getStreamingEvents(exchange, request, acting, caller.bearerToken(), scripted);
                return;
            }
            String response = ews ? ews(operation, request, acting, scripted) : getUserSettings(request, scripted);
            send(exchange, response == null ? 500 : 200, response == null
                    ? EwsXmlWriter.fault("ErrorInvalidRequest", EwsErrors.messageText("ErrorInvalidRequest"), null)
                    : response);
        } catch (StreamDropped e) {
            // Let it through: the HTTP server then closes the connection without ending the chunked body.
            throw e;
        } catch (IOException e) {
            log.debug("client went away: {}", e.toString());
            exchange.close();
        } catch (RuntimeException e) {
            log.warn("fake Exchange failed on a request", e);
            if (!streaming) {
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

    private void send(HttpExchange exchange, int status, String xml) {
        log.trace("answer {} {}", status, xml);
        try {
            exchange.getResponseHeaders().add("Server", "Microsoft-IIS/10.0");
            exchange.getResponseHeaders().add("request-id", UUID.randomUUID().toString());
            exchange.getResponseHeaders().add("X-AspNet-Version", "4.0.30319");
            exchange.getResponseHeaders().add("X-Powered-By", "ASP.NET");
            exchange.getResponseHeaders().add("X-FEServer", "FAKEEXCH01");
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

    // --- EWS operations ---

    private String ews(String operation, Element request, Mailbox acting, String scripted) {
        if (scripted != null) {
            return scriptedError(operation, request, scripted);
        }
        try {
            return switch (operation) {
                case "Subscribe" -> subscribe(request, acting);
                case "Unsubscribe" -> unsubscribe(request, acting);
                case "SyncFolderItems" -> syncFolderItems(request, acting);
                case "GetItem" -> getItem(request);
                case "FindItem" -> findItem(request, acting);
                case "FindFolder" -> findFolder(request, acting);
                case "GetFolder" -> getFolder(request, acting);
                case "CreateItem" -> createItem(request, acting);
                case "UpdateItem" -> updateItem(request);
                default -> null;
            };
        } catch (EwsError e) {
            return EwsXmlWriter.envelope(operation + "Response", xml -> xml.error(operation + "ResponseMessage",
                    e.responseCode, extra -> { }));
        } catch (EwsRestriction.Unsupported e) {
            log.warn("FakeExchange cannot evaluate {}: {}", operation, e.getMessage());
            return EwsXmlWriter.envelope(operation + "Response", xml -> xml.error(operation + "ResponseMessage",
                    "ErrorUnsupportedQueryFilter", extra -> { }));
        }
    }

    /** One error message per message the request would have been answered with. */
    private String scriptedError(String operation, Element request, String responseCode) {
        int messages = switch (operation) {
            case "GetItem" -> EwsDom.children(EwsDom.child(request, M, "ItemIds")).size();
            case "UpdateItem" -> EwsDom.children(EwsDom.child(request, M, "ItemChanges")).size();
            case "CreateItem" -> EwsDom.children(EwsDom.child(request, M, "Items")).size();
            case "GetFolder" -> EwsDom.children(EwsDom.child(request, M, "FolderIds")).size();
            case "FindItem", "FindFolder" -> EwsDom.children(EwsDom.child(request, M, "ParentFolderIds")).size();
            default -> 1;
        };
        return EwsXmlWriter.envelope(operation + "Response", xml -> {
            for (int i = 0; i < Math.max(messages, 1); i++) {
                xml.error(operation + "ResponseMessage", responseCode, extra -> { });
            }
        });
    }

    private String subscribe(Element request, Mailbox acting) {
        Element streaming = EwsDom.child(request, M, "StreamingSubscriptionRequest");
        if (streaming == null) {
            // Pull and push subscriptions are real Exchange features the fake does not have.
            throw new EwsError("ErrorInvalidSubscriptionRequest");
        }
        Set<Folder> folders = null;
        if (!"true".equals(streaming.getAttribute("SubscribeToAllFolders"))) {
            folders = new LinkedHashSet<>();
            for (Element folderId : EwsDom.children(EwsDom.child(streaming, T, "FolderIds"))) {
                folders.add(resolveFolder(folderId, acting));
            }
        }
        Set<String> eventTypes = new LinkedHashSet<>();
        for (Element type : EwsDom.children(EwsDom.child(streaming, T, "EventTypes"), T, "EventType")) {
            eventTypes.add(type.getTextContent().trim());
        }
        Subscription subscription = notifications.subscribe(acting, folders, eventTypes);
        return EwsXmlWriter.envelope("SubscribeResponse", xml -> xml.success("SubscribeResponseMessage",
                message -> message.leaf("m:SubscriptionId", subscription.id)));
    }

    private String unsubscribe(Element request, Mailbox acting) {
        if (!notifications.unsubscribe(EwsDom.text(request, M, "SubscriptionId"), acting)) {
            throw new EwsError("ErrorSubscriptionNotFound");
        }
        return EwsXmlWriter.envelope("UnsubscribeResponse", xml -> xml.success("UnsubscribeResponseMessage", message -> { }));
    }

    private String syncFolderItems(Element request, Mailbox acting) {
        EwsShape shape = EwsShape.parse(EwsDom.child(request, M, "ItemShape"));
        Folder folder = resolveFolder(EwsDom.firstChild(EwsDom.child(request, M, "SyncFolderId")), acting);
        String syncState = EwsDom.text(request, M, "SyncState");
        String maxText = EwsDom.text(request, M, "MaxChangesReturned");
        int max = Math.clamp(maxText == null ? 512 : Integer.parseInt(maxText), 1, 512);
        synchronized (store) {
            int position = syncState == null || syncState.isEmpty() ? 0 : store.syncPosition(folder, syncState);
            if (position < 0) {
                throw new EwsError("ErrorInvalidSyncStateData");
            }
            FakeMailboxStore.SyncBatch batch = store.sync(folder, position, max);
            String nextState = store.syncState(folder, batch.nextPosition());
            return EwsXmlWriter.envelope("SyncFolderItemsResponse", xml -> xml.success("SyncFolderItemsResponseMessage",
                    message -> {
                        message.leaf("m:SyncState", nextState)
                                .leaf("m:IncludesLastItemInRange", batch.includesLast())
                                .start("m:Changes");
                        for (FakeMailboxStore.Change change : batch.changes()) {
                            Item item = change.item();
                            switch (change.kind()) {
                                case CREATE -> message.start("t:Create").message(item, shape).end();
                                case UPDATE -> message.start("t:Update").message(item, shape).end();
                                case DELETE -> message.start("t:Delete").empty("t:ItemId", "Id", item.id).end();
                                case READ_FLAG -> message.start("t:ReadFlagChange")
                                        .empty("t:ItemId", "Id", item.id, "ChangeKey", item.changeKey())
                                        .leaf("t:IsRead", item.read).end();
                            }
                        }
                        message.end();
                    }));
        }
    }

    private String getItem(Element request) {
        EwsShape shape = EwsShape.parse(EwsDom.child(request, M, "ItemShape"));
        List<Element> ids = EwsDom.children(EwsDom.child(request, M, "ItemIds"));
        synchronized (store) {
            return EwsXmlWriter.envelope("GetItemResponse", xml -> {
                for (Element id : ids) {
                    String itemId = id.getAttribute("Id");
                    Item item = store.item(itemId);
                    if (item == null) {
                        xml.error("GetItemResponseMessage", missingItemCode(itemId), extra -> extra.empty("m:Items"));
                    } else {
                        xml.success("GetItemResponseMessage", message -> message.start("m:Items").message(item, shape).end());
                    }
                }
            });
        }
    }

    private String findItem(Element request, Mailbox acting) {
        EwsShape shape = EwsShape.parse(EwsDom.child(request, M, "ItemShape"));
        if (shape.wants("item:MimeContent")) {
            // Exchange refuses MimeContent (and Body) in FindItem: they are GetItem-only properties.
            throw new EwsError("ErrorInvalidPropertyRequest");
        }
        Element view = EwsDom.child(request, M, "IndexedPageItemView");
        Predicate<Object> restriction = restriction(EwsDom.child(request, M, "Restriction"));
        var order = EwsRestriction.sortOrder(EwsDom.child(request, M, "SortOrder"));
        List<Element> parents = EwsDom.children(EwsDom.child(request, M, "ParentFolderIds"));
        synchronized (store) {
            List<Folder> folders = parents.stream().map(parent -> resolveFolder(parent, acting)).toList();
            return EwsXmlWriter.envelope("FindItemResponse", xml -> {
                for (Folder folder : folders) {
                    List<Item> matching = folder.items().stream().filter(restriction).sorted(order).toList();
                    page(xml, "FindItemResponseMessage", "t:Items", matching, view,
                            item -> xml.message(item, shape));
                }
            });
        }
    }

    private String findFolder(Element request, Mailbox acting) {
        boolean deep = "Deep".equals(request.getAttribute("Traversal"));
        EwsShape shape = EwsShape.parse(EwsDom.child(request, M, "FolderShape"));
        Element view = EwsDom.child(request, M, "IndexedPageFolderView");
        Predicate<Object> restriction = restriction(EwsDom.child(request, M, "Restriction"));
        List<Element> parents = EwsDom.children(EwsDom.child(request, M, "ParentFolderIds"));
        synchronized (store) {
            List<Folder> roots = parents.stream().map(parent -> resolveFolder(parent, acting)).toList();
            return EwsXmlWriter.envelope("FindFolderResponse", xml -> {
                for (Folder root : roots) {
                    List<Folder> matching = store.descendants(root, deep).stream().filter(restriction).toList();
                    page(xml, "FindFolderResponseMessage", "t:Folders", matching, view,
                            folder -> xml.folder(folder, shape));
                }
            });
        }
    }

    /**
     * A FindItem/FindFolder result page: RootFolder with IndexedPagingOffset (where the next page
     * starts), TotalItemsInView and IncludesLastItemInRange, as Exchange writes them.
     */
    private static <E> void page(EwsXmlWriter xml, String messageElement, String listElement, List<E> all,
            Element view, Consumer<E> write) {
        int max = view == null ? Integer.MAX_VALUE : Integer.parseInt(view.getAttribute("MaxEntriesReturned"));
        int offset = view == null || view.getAttribute("Offset").isEmpty() ? 0 : Integer.parseInt(view.getAttribute("Offset"));
        boolean fromEnd = view != null && "End".equals(view.getAttribute("BasePoint"));
        int start = fromEnd ? Math.max(all.size() - offset - max, 0) : Math.min(offset, all.size());
        int end = fromEnd ? Math.max(all.size() - offset, 0) : Math.min(start + (int) Math.min(max, (long) all.size()), all.size());
        List<E> page = all.subList(start, end);
        boolean last = fromEnd ? start == 0 : end == all.size();
        int nextOffset = fromEnd ? offset + page.size() : end;
        xml.success(messageElement, message -> {
            message.start("m:RootFolder", "IndexedPagingOffset", String.valueOf(nextOffset),
                    "TotalItemsInView", String.valueOf(all.size()),
                    "IncludesLastItemInRange", String.valueOf(last));
            message.start(listElement);
            page.forEach(write);
            message.end().end();
        });
    }

    private String getFolder(Element request, Mailbox acting) {
        EwsShape shape = EwsShape.parse(EwsDom.child(request, M, "FolderShape"));
        List<Element> ids = EwsDom.children(EwsDom.child(request, M, "FolderIds"));
        synchronized (store) {
            return EwsXmlWriter.envelope("GetFolderResponse", xml -> {
                for (Element id : ids) {
                    Folder folder;
                    try {
                        folder = resolveFolder(id, acting);
                    } catch (EwsError e) {
                        xml.error("GetFolderResponseMessage", e.responseCode, extra -> extra.empty("m:Folders"));
                        continue;
                    }
                    xml.success("GetFolderResponseMessage", message -> message.start("m:Folders").folder(folder, shape).end());
                }
            });
        }
    }

    /**
     * CreateItem of messages. SendAndSaveCopy and SendOnly answer an empty Items (a sent message has
     * no id to give back); SaveOnly answers the saved item's id. The copy lands in SavedItemFolderId
     * (default Sent Items), raising CreatedEvent but not NewMailEvent, as for Exchange's own sends.
     */
    private String createItem(Element request, Mailbox acting) {
        String disposition = request.getAttribute("MessageDisposition");
        if (disposition.isEmpty()) {
            throw new EwsError("ErrorMessageDispositionRequired");
        }
        Element savedFolderId = EwsDom.firstChild(EwsDom.child(request, M, "SavedItemFolderId"));
        List<Element> messages = EwsDom.children(EwsDom.child(request, M, "Items"));
        List<Item> saved = new ArrayList<>();
        synchronized (store) {
            Folder target = savedFolderId != null ? resolveFolder(savedFolderId, acting)
                    : acting.distinguished.get("SaveOnly".equals(disposition) ? "drafts" : "sentitems");
            for (Element message : messages) {
                byte[] mime = mime(message);
                if (!"SaveOnly".equals(disposition)) {
                    acting.sent.add(mime.clone());
                }
                if (!"SendOnly".equals(disposition)) {
                    Item item = store.addItem(target, mime, Instant.now());
                    item.read = !"SaveOnly".equals(disposition);
                    for (Element category : EwsDom.children(EwsDom.child(message, T, "Categories"), T, "String")) {
                        item.categories.add(category.getTextContent());
                    }
                    saved.add(item);
                }
            }
        }
        for (Item item : saved) {
            notifications.publish(item.folder, List.of(itemEvent("CreatedEvent", item), folderModified(item.folder)));
        }
        boolean returnIds = "SaveOnly".equals(disposition);
        return EwsXmlWriter.envelope("CreateItemResponse", xml -> {
            for (int i = 0; i < messages.size(); i++) {
                Item item = returnIds ? saved.get(i) : null;
                xml.success("CreateItemResponseMessage", message -> {
                    if (item == null) {
                        message.empty("m:Items");
                    } else {
                        message.start("m:Items").start("t:Message")
                                .empty("t:ItemId", "Id", item.id, "ChangeKey", item.changeKey()).end().end();
                    }
                });
            }
        });
    }

    /** The message's MimeContent, or for a message built from properties a minimal MIME of them. */
    private static byte[] mime(Element message) {
        String mimeContent = EwsDom.text(message, T, "MimeContent");
        if (mimeContent != null) {
            return Base64.getMimeDecoder().decode(mimeContent);
        }
        String subject = EwsDom.text(message, T, "Subject");
        String body = EwsDom.text(message, T, "Body");
        String mime = "Subject: " + (subject == null ? "" : subject) + "\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + (body == null ? "" : body);
        return mime.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * UpdateItem: SetItemField, AppendToItemField and DeleteItemField of item:Categories and
     * message:IsRead (other fields are accepted and ignored). A stale ChangeKey fails only with
     * ConflictResolution NeverOverwrite, as in Exchange; each update gives the item a new ChangeKey.
     */
    private String updateItem(Element request) {
        String conflictResolution = request.getAttribute("ConflictResolution");
        List<Element> changes = EwsDom.children(EwsDom.child(request, M, "ItemChanges"), T, "ItemChange");
        List<Item> updated = new ArrayList<>();
        String response;
        synchronized (store) {
            response = EwsXmlWriter.envelope("UpdateItemResponse", xml -> {
                for (Element change : changes) {
                    Element id = EwsDom.child(change, T, "ItemId");
                    Item item = id == null ? null : store.item(id.getAttribute("Id"));
                    if (item == null) {
                        xml.error("UpdateItemResponseMessage", missingItemCode(id == null ? "" : id.getAttribute("Id")),
                                extra -> extra.empty("m:Items"));
                        continue;
                    }
                    String changeKey = id.getAttribute("ChangeKey");
                    if (!changeKey.isEmpty() && !changeKey.equals(item.changeKey())
                            && "NeverOverwrite".equals(conflictResolution)) {
                        xml.error("UpdateItemResponseMessage", "ErrorIrresolvableConflict", extra -> extra.empty("m:Items"));
                        continue;
                    }
                    ChangeKind kind = applyUpdates(item, EwsDom.children(EwsDom.child(change, T, "Updates")));
                    store.touch(item, kind);
                    updated.add(item);
                    xml.success("UpdateItemResponseMessage", message -> message
                            .start("m:Items").start("t:Message")
                            .empty("t:ItemId", "Id", item.id, "ChangeKey", item.changeKey()).end().end()
                            .start("m:ConflictResults").leaf("t:Count", 0).end());
                }
            });
        }
        for (Item item : updated) {
            notifications.publish(item.folder, List.of(itemEvent("ModifiedEvent", item), folderModified(item.folder)));
        }
        return response;
    }

    private static ChangeKind applyUpdates(Item item, List<Element> updates) {
        ChangeKind kind = ChangeKind.READ_FLAG;
        for (Element update : updates) {
            Element fieldUri = EwsDom.child(update, T, "FieldURI");
            String field = fieldUri == null ? "" : fieldUri.getAttribute("FieldURI");
            Element values = EwsDom.children(update).stream().filter(child -> child != fieldUri).findFirst().orElse(null);
            String operation = update.getLocalName();
            switch (field) {
                case "item:Categories" -> {
                    List<String> categories = EwsDom.children(EwsDom.child(values, T, "Categories"), T, "String").stream()
                            .map(Element::getTextContent).toList();
                    if (!"AppendToItemField".equals(operation)) {
                        item.categories.clear();
                    }
                    if (!"DeleteItemField".equals(operation)) {
                        item.categories.addAll(categories);
                    }
                    kind = ChangeKind.UPDATE;
                }
                case "message:IsRead" -> item.read = !"DeleteItemField".equals(operation)
                        && Boolean.parseBoolean(EwsDom.text(values, T, "IsRead"));
                default -> {
                    log.debug("UpdateItem of {} accepted and ignored", field);
                    kind = ChangeKind.UPDATE;
                }
            }
        }
        return kind;
    }

    private static Predicate<Object> restriction(Element restriction) {
        return restriction == null ? anything -> true : EwsRestriction.parse(restriction);
    }

    private static String missingItemCode(String itemId) {
        return FakeMailboxStore.wellFormedId(itemId) ? "ErrorItemNotFound" : "ErrorInvalidIdMalformed";
    }

    /**
     * A t:FolderId, or a t:DistinguishedFolderId of the acting user or of the mailbox it names in
     * t:Mailbox/t:EmailAddress.
     */
    private Folder resolveFolder(Element folderId, Mailbox acting) {
        if (EwsDom.is(folderId, T, "FolderId")) {
            Folder folder = store.folder(folderId.getAttribute("Id"));
            if (folder == null) {
                throw new EwsError(FakeMailboxStore.wellFormedId(folderId.getAttribute("Id"))
                        ? "ErrorFolderNotFound" : "ErrorInvalidIdMalformed");
            }
            return folder;
        }
        if (EwsDom.is(folderId, T, "DistinguishedFolderId")) {
            Mailbox mailbox = acting;
            String address = EwsDom.text(EwsDom.child(folderId, T, "Mailbox"), T, "EmailAddress");
            if (address != null) {
                mailbox = store.mailboxForLogon(address);
                if (mailbox == null) {
                    throw new EwsError("ErrorNonExistentMailbox");
                }
            }
            synchronized (store) {
                Folder folder = mailbox.distinguished.get(folderId.getAttribute("Id").toLowerCase(Locale.ROOT));
                if (folder == null) {
                    throw new EwsError("ErrorFolderNotFound");
                }
                return folder;
            }
        }
        throw new EwsError("ErrorInvalidRequest");
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

    /**
     * Item events carry the short ChangeKeys Exchange puts in notifications ("CQAAAA==" for a
     * message, "AQAAAA==" for its folder), not the item's full one.
     */
    private static Event itemEvent(String type, Item item) {
        return new Event(type, Instant.now(), item.id, null, item.folder.id, null);
    }

    private Event folderModified(Folder folder) {
        long unread;
        synchronized (store) {
            unread = folder.items().stream().filter(item -> !item.read).count();
        }
        return new Event("ModifiedEvent", Instant.now(), null, folder.id,
                folder.parent == null ? folder.id : folder.parent.id, unread);
    }

    // --- streaming ---

    /**
     * GetStreamingEvents: answers 200 with a chunked body at once and keeps it open for
     * ConnectionTimeout minutes, writing one complete SOAP envelope per message and flushing it:
     * the events waiting for the subscriptions first, then events as they happen, a ConnectionStatus
     * OK heartbeat whenever nothing was written for a heartbeat interval, and at the end a
     * ConnectionStatus Closed before the response ends.
     */
    private void getStreamingEvents(HttpExchange exchange, Element request, Mailbox caller, String bearerToken,
            String scripted) throws IOException {
        List<String> ids = EwsDom.children(EwsDom.child(request, M, "SubscriptionIds")).stream()
                .map(id -> id.getTextContent().trim()).toList();
        String timeoutText = EwsDom.text(request, M, "ConnectionTimeout");
        int timeoutMinutes = Math.clamp(timeoutText == null ? 30 : Integer.parseInt(timeoutText), 1, 30);
        exchange.getResponseHeaders().add("Content-Type", "text/xml; charset=utf-8");
        exchange.getResponseHeaders().add("Server", "Microsoft-IIS/10.0");
        exchange.getResponseHeaders().add("request-id", UUID.randomUUID().toString());
        exchange.getResponseHeaders().add("X-Powered-By", "ASP.NET");
        exchange.getResponseHeaders().add("X-FEServer", "FAKEEXCH01");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        // The headers go out now, not with the first message: the client's open() returns on them.
        out.flush();

        if (scripted != null) {
            boolean ends = !"ErrorMissedNotificationEvents".equals(scripted);
            write(out, streamError(scripted, EwsErrors.concernsSubscriptions(scripted) ? ids : List.of(), ends));
            if (ends) {
                exchange.close();
                return;
            }
        }
        Connection connection = notifications.open(caller, bearerToken);
        try {
            FakeNotifications.Attached attached = notifications.attach(connection, ids);
            boolean nothingLeft = attached.subscriptions().isEmpty();
            if (!attached.notFound().isEmpty()) {
                write(out, streamError("ErrorSubscriptionNotFound", attached.notFound(),
                        nothingLeft && attached.accessDenied().isEmpty()));
            }
            if (!attached.accessDenied().isEmpty()) {
                write(out, streamError("ErrorSubscriptionAccessDenied", attached.accessDenied(), nothingLeft));
            }
            if (attached.subscriptions().isEmpty()) {
                exchange.close();
                return;
            }
            stream(exchange, out, connection, System.nanoTime() + minuteLength.toNanos() * timeoutMinutes);
        } finally {
            notifications.closed(connection);
        }
    }

    private void stream(HttpExchange exchange, OutputStream out, Connection connection, long deadline)
            throws IOException {
        long nextHeartbeat = System.nanoTime() + heartbeatInterval.toNanos();
        while (true) {
            if (closed) {
                throw new StreamDropped();
            }
            Map<Subscription, List<Event>> events;
            while (!(events = notifications.drain(connection, EVENTS_PER_MESSAGE)).isEmpty()) {
                Map<Subscription, List<Event>> batch = events;
                write(out, EwsXmlWriter.streamingEnvelope(xml -> xml.success("GetStreamingEventsResponseMessage",
                        message -> notificationsXml(message, batch))));
                nextHeartbeat = System.nanoTime() + heartbeatInterval.toNanos();
            }
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                closeStream(exchange, out);
                return;
            }
            if (now - nextHeartbeat >= 0) {
                write(out, EwsXmlWriter.streamingEnvelope(xml -> xml.success("GetStreamingEventsResponseMessage",
                        message -> message.leaf("m:ConnectionStatus", "OK"))));
                nextHeartbeat = now + heartbeatInterval.toNanos();
            }
            Signal signal;
            try {
                signal = connection.await(Math.min(deadline, nextHeartbeat) - System.nanoTime());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StreamDropped();
            }
            if (signal == Signal.DROP) {
                throw new StreamDropped();
            }
            if (signal == Signal.CLOSE) {
                closeStream(exchange, out);
                return;
            }
        }
    }

    private void closeStream(HttpExchange exchange, OutputStream out) throws IOException {
        write(out, EwsXmlWriter.streamingEnvelope(xml -> xml.success("GetStreamingEventsResponseMessage",
                message -> message.leaf("m:ConnectionStatus", "Closed"))));
        exchange.close();
    }

    /**
     * m:Notifications with one m:Notification per subscription: t:SubscriptionId, then the events.
     * Streaming events have no Watermark (ews-java-api reads TimeStamp first, and Exchange sends none).
     */
    private static void notificationsXml(EwsXmlWriter xml, Map<Subscription, List<Event>> events) {
        xml.start("m:Notifications");
        events.forEach((subscription, list) -> {
            xml.start("m:Notification").leaf("t:SubscriptionId", subscription.id);
            for (Event event : list) {
                xml.start("t:" + event.type()).leaf("t:TimeStamp", EwsXmlWriter.dateTime(event.timeStamp()));
                if (event.itemId() != null) {
                    xml.empty("t:ItemId", "Id", event.itemId(), "ChangeKey", "CQAAAA==");
                } else {
                    xml.empty("t:FolderId", "Id", event.folderId(), "ChangeKey", "AQAAAA==");
                }
                xml.empty("t:ParentFolderId", "Id", event.parentFolderId(), "ChangeKey", "AQAAAA==");
                if (event.unreadCount() != null) {
                    xml.leaf("t:UnreadCount", event.unreadCount());
                }
                xml.end();
            }
            xml.end();
        });
        xml.end();
    }

    /**
     * An error message of the stream: the failed subscriptions in ErrorSubscriptionIds and, when the
     * stream ends with it, ConnectionStatus Closed, as in the EWS reference's error example (the
     * library skips that element in an error message, so it sees the end of the response next).
     */
    private static String streamError(String responseCode, List<String> subscriptionIds, boolean closes) {
        return EwsXmlWriter.streamingEnvelope(xml -> xml.error("GetStreamingEventsResponseMessage", responseCode,
                extra -> {
                    if (!subscriptionIds.isEmpty()) {
                        extra.start("m:ErrorSubscriptionIds");
                        subscriptionIds.forEach(id -> extra.leaf("m:SubscriptionId", id));
                        extra.end();
                    }
                    if (closes) {
                        extra.leaf("m:ConnectionStatus", "Closed");
                    }
                }));
    }

    private static void write(OutputStream out, String envelope) throws IOException {
        log.trace("stream {}", envelope);
        out.write(envelope.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    // --- Autodiscover ---

    /**
     * SOAP Autodiscover's GetUserSettings, in the WCF dialect Exchange's autodiscover.svc writes:
     * a:Action and h:ServerVersionInfo headers, then per user an ErrorCode, ErrorMessage,
     * RedirectTarget, UserSettingErrors and UserSettings.
     */
    private String getUserSettings(Element request, String scripted) {
        Element body = EwsDom.child(request, A, "Request");
        List<String> users = EwsDom.children(EwsDom.child(body, A, "Users"), A, "User").stream()
                .map(user -> EwsDom.text(user, A, "Mailbox")).toList();
        List<String> settings = EwsDom.children(EwsDom.child(body, A, "RequestedSettings"), A, "Setting").stream()
                .map(setting -> setting.getTextContent().trim()).toList();
        EwsXmlWriter xml = new EwsXmlWriter();
        xml.start("s:Envelope", "xmlns:s", EwsXmlWriter.SOAP, "xmlns:a", EwsXmlWriter.ADDRESSING)
                .start("s:Header")
                .leaf("a:Action", "http://schemas.microsoft.com/exchange/2010/Autodiscover/Autodiscover/GetUserSettingsResponse",
                        "s:mustUnderstand", "1")
                .start("h:ServerVersionInfo", "xmlns:h", A, "xmlns:i", EwsXmlWriter.XSI)
                .leaf("h:MajorVersion", EwsXmlWriter.MAJOR_VERSION)
                .leaf("h:MinorVersion", EwsXmlWriter.MINOR_VERSION)
                .leaf("h:MajorBuildNumber", EwsXmlWriter.MAJOR_BUILD)
                .leaf("h:MinorBuildNumber", EwsXmlWriter.MINOR_BUILD)
                .leaf("h:Version", "Exchange2015")
                .end().end()
                .start("s:Body")
                .start("GetUserSettingsResponseMessage", "xmlns", A)
                .start("Response", "xmlns:i", EwsXmlWriter.XSI);
        if (scripted != null) {
            xml.leaf("ErrorCode", scripted).leaf("ErrorMessage", scripted).empty("UserResponses");
        } else {
            xml.leaf("ErrorCode", "NoError").empty("ErrorMessage").start("UserResponses");
            for (String user : users) {
                xml.start("UserResponse");
                userSettings(xml, user, settings);
                xml.end();
            }
            xml.end();
        }
        xml.end().end().end().end();
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?>" + xml;
    }

    private void userSettings(EwsXmlWriter xml, String user, List<String> settings) {
        String redirect = autodiscoverRedirect;
        Mailbox mailbox = user == null ? null : store.mailboxForLogon(user);
        if (redirect != null) {
            xml.leaf("ErrorCode", "RedirectUrl").leaf("ErrorMessage", "Redirection URL.")
                    .leaf("RedirectTarget", redirect).empty("UserSettingErrors").empty("UserSettings");
            return;
        }
        if (mailbox == null) {
            xml.leaf("ErrorCode", "InvalidUser").leaf("ErrorMessage", "Invalid user: '" + user + "'")
                    .empty("RedirectTarget", "i:nil", "true").empty("UserSettingErrors").empty("UserSettings");
            return;
        }
        xml.leaf("ErrorCode", "NoError").leaf("ErrorMessage", "No error.")
                .empty("RedirectTarget", "i:nil", "true");
        List<String> unavailable = new ArrayList<>();
        List<String[]> values = new ArrayList<>();
        for (String setting : settings) {
            String value = switch (setting) {
                case "InternalEwsUrl", "ExternalEwsUrl" -> ewsUrl();
                case "UserDisplayName" -> mailbox.address.substring(0, Math.max(mailbox.address.indexOf('@'), 0));
                case "AutoDiscoverSMTPAddress" -> mailbox.address;
                case "CasVersion" -> EwsXmlWriter.MAJOR_VERSION + "." + EwsXmlWriter.MINOR_VERSION + "."
                        + EwsXmlWriter.MAJOR_BUILD + "." + EwsXmlWriter.MINOR_BUILD;
                default -> null;
            };
            if (value == null) {
                unavailable.add(setting);
            } else {
                values.add(new String[] {setting, value});
            }
        }
        if (unavailable.isEmpty()) {
            xml.empty("UserSettingErrors");
        } else {
            xml.start("UserSettingErrors");
            for (String setting : unavailable) {
                xml.start("UserSettingError").leaf("ErrorCode", "SettingIsNotAvailable")
                        .leaf("ErrorMessage", "User setting '" + setting + "' is not available. ")
                        .leaf("SettingName", setting).end();
            }
            xml.end();
        }
        xml.start("UserSettings");
        for (String[] value : values) {
            xml.start("UserSetting", "i:type", "StringSetting").leaf("Name", value[0]).leaf("Value", value[1]).end();
        }
        xml.end();
    }
}
