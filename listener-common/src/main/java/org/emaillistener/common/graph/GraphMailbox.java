package org.emaillistener.common.graph;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import jakarta.mail.MessagingException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * One Exchange Online mailbox through Microsoft Graph, as the listener uses it. Folders and messages
 * are named by their immutable ids ({@code Prefer: IdType="ImmutableId"}), which survive a move. A
 * throttled call ({@code 429}, {@code 503}) waits out Graph's {@code Retry-After} a few times, each
 * wait at most {@code listener.graph.max-retry-after}. Every call may block on the server.
 */
public class GraphMailbox {

    private static final Logger log = LoggerFactory.getLogger(GraphMailbox.class);

    private static final String IMMUTABLE_IDS = "IdType=\"ImmutableId\"";
    private static final int THROTTLE_RETRIES = 3;
    /**
     * Outlook takes 4 concurrent requests per app per mailbox ("Microsoft Graph service-specific
     * throttling limits", Outlook service limits), a {@code $batch}'s members each counting, since Graph
     * runs them in parallel: every process keeps to it with one semaphore per mailbox, and what another
     * process adds is answered 429 MailboxConcurrency, waited out as any throttling.
     */
    public static final int MAILBOX_CONCURRENCY = 4;

    /** Graph takes at most 20 requests in one {@code $batch}. */
    private static final int BATCH_LIMIT = 20;

    private final HttpClient http;
    private final JsonMapper json;
    private final GraphTokens tokens;
    private final GraphProperties.Tenant tenant;
    private final GraphProperties properties;
    private final String base;
    private final String address;
    /** This mailbox's share of Graph's concurrent requests, shared by every client of it in the process. */
    private final Semaphore concurrency;
    private final String user;

    GraphMailbox(HttpClient http, JsonMapper json, GraphTokens tokens, GraphProperties.Tenant tenant,
            GraphProperties properties, String address, Semaphore concurrency) {
        this.concurrency = concurrency;
        this.http = http;
        this.json = json;
        this.tokens = tokens;
        this.tenant = tenant;
        this.properties = properties;
        this.base = properties.graphUrl().replaceAll("/+$", "");
        this.address = address;
        this.user = base + "/users/" + URLEncoder.encode(address, StandardCharsets.UTF_8);
    }

    /** A mail folder; {@code parentId} is null for the folders below the mailbox's root. */
    public record GraphFolder(String id, String name, String parentId) {
    }

    /**
     * A message the delta reported as added or changed in its folder.
     *
     * @param internetMessageId its Message-ID header, or null
     */
    public record MessageRef(String id, Instant receivedAt, String internetMessageId) {
    }

    /**
     * @param changed the messages added to or changed in the folder, in Graph's order
     * @param link the link to ask from next: the next page's, or when {@code more} is false the delta link
     * @param more whether this round of the delta has more pages
     */
    public record DeltaPage(List<MessageRef> changed, String link, boolean more) {
    }

    /** The id of a well-known folder ({@code inbox}, {@code drafts}, {@code deleteditems}, …); also proves access. */
    public String wellKnownFolderId(String name) throws GraphException {
        return getJson(URI.create(user + "/mailFolders/" + name + "?%24select=id")).path("id").asString();
    }

    /** Every mail folder below the mailbox's root, parents before children. */
    public List<GraphFolder> folders() throws GraphException {
        List<GraphFolder> all = new ArrayList<>();
        collect(URI.create(user + "/mailFolders?%24top=100"), null, all);
        return all;
    }

    private void collect(URI page, String parentId, List<GraphFolder> into) throws GraphException {
        List<GraphFolder> level = new ArrayList<>();
        List<String> withChildren = new ArrayList<>();
        URI next = page;
        while (next != null) {
            JsonNode body = getJson(next);
            for (JsonNode folder : body.path("value")) {
                level.add(new GraphFolder(folder.path("id").asString(), folder.path("displayName").asString(),
                        parentId));
                if (folder.path("childFolderCount").asInt(0) > 0) {
                    withChildren.add(folder.path("id").asString());
                }
            }
            next = link(body.path("@odata.nextLink"));
        }
        into.addAll(level);
        for (String id : withChildren) {
            collect(URI.create(user + "/mailFolders/" + id + "/childFolders?%24top=100"), id, into);
        }
    }

    /**
     * One page of the folder's message delta: from {@code link} (a next or delta link an earlier page
     * gave), or with null a new round from the folder's beginning.
     */
    public DeltaPage delta(String folderId, String link, int pageSize) throws GraphException {
        URI uri = link != null ? own(link) : URI.create(user + "/mailFolders/" + folderId
                + "/messages/delta?%24select=id,receivedDateTime,internetMessageId");
        JsonNode body = getJson(uri, "odata.maxpagesize=" + pageSize);
        // A delta may report an item more than once and in no promised order ("Use delta query to
        // track changes in Microsoft Graph data"): each once, oldest first, as delivery wants them.
        Map<String, MessageRef> byId = new LinkedHashMap<>();
        for (JsonNode message : body.path("value")) {
            if (message.has("@removed")) {
                continue;
            }
            MessageRef ref = messageRef(message);
            byId.putIfAbsent(ref.id(), ref);
        }
        List<MessageRef> changed = new ArrayList<>(byId.values());
        changed.sort(Comparator.comparing(MessageRef::receivedAt, Comparator.nullsFirst(Comparator.naturalOrder())));
        String next = body.path("@odata.nextLink").asString(null);
        if (next != null) {
            return new DeltaPage(changed, next, true);
        }
        String delta = body.path("@odata.deltaLink").asString(null);
        if (delta == null) {
            throw new GraphException("Graph's delta answered neither a next nor a delta link", 200, null, null);
        }
        return new DeltaPage(changed, delta, false);
    }

    /**
     * What a poll of delta links found.
     *
     * @param changed the keys of the links with changes after them (or that Graph no longer accepts)
     * @param newest for a link with nothing after it, the link Graph answered with: it names the same
     *        state, and Graph keeps only the newest few of a folder's tokens, so it is the one to keep
     */
    public record DeltaPoll(Set<String> changed, Map<String, String> newest) {
    }

    /**
     * Which of these delta links have changes after them, read as cheaply as Graph allows: one
     * {@code $batch} per few links, one message at most each. A link Graph no longer accepts counts as
     * changed (the sync that follows starts the folder again).
     */
    public DeltaPoll changedSince(Map<String, String> deltaLinks) throws GraphException {
        List<String> keys = List.copyOf(deltaLinks.keySet());
        List<String> urls = new ArrayList<>();
        for (String key : keys) {
            urls.add(own(deltaLinks.get(key)).toString().substring(base.length()));
        }
        List<Answer> answers = batchGet(urls, "odata.maxpagesize=1");
        Set<String> changed = new LinkedHashSet<>();
        Map<String, String> newest = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            Answer answer = answers.get(i);
            GraphException failure = answer.failure(urls.get(i));
            if (failure != null && !failure.deltaExpired()) {
                throw failure;
            }
            if (failure != null || !answer.body().path("value").isEmpty() || answer.body().has("@odata.nextLink")) {
                changed.add(keys.get(i));
            } else {
                String link = answer.body().path("@odata.deltaLink").asString(null);
                if (link != null && !link.equals(deltaLinks.get(keys.get(i))) && link.startsWith(base + "/")) {
                    newest.put(keys.get(i), link);
                }
            }
        }
        return new DeltaPoll(changed, newest);
    }

    /**
     * The ids Graph gives these folders, named by id (in any form Graph takes) or by well-known name
     * ({@code inbox}, {@code drafts}, …), read from the folders themselves in one {@code $batch} per 20.
     * A name or id Graph does not take for a folder of this mailbox (one in another format, a folder
     * that is gone, a well-known folder the mailbox lacks: 400 or 404) is left out. Also proves access
     * to the mailbox.
     */
    public Map<String, String> folderIds(List<String> namesOrIds) throws GraphException {
        String path = user.substring(base.length()) + "/mailFolders/";
        List<String> urls = namesOrIds.stream().map(id -> path
                + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20") + "?%24select=id").toList();
        List<Answer> answers = batchGet(urls);
        Map<String, String> ids = new LinkedHashMap<>();
        for (int i = 0; i < namesOrIds.size(); i++) {
            GraphException failure = answers.get(i).failure(urls.get(i));
            if (failure == null) {
                ids.put(namesOrIds.get(i), answers.get(i).body().path("id").asString());
            } else if (failure.status() != 400 && !failure.itemNotFound()) {
                throw failure;
            }
        }
        return ids;
    }

    /** Writes the message's MIME content to {@code mime}. */
    public void mime(String messageId, OutputStream mime) throws GraphException {
        HttpResponse<InputStream> response = send(() -> request(URI.create(user + "/messages/" + messageId + "/$value"))
                .GET().build());
        try (InputStream in = response.body()) {
            in.transferTo(mime);
        } catch (IOException e) {
            throw new GraphException("Reading a message's MIME content from Graph failed: " + e.getMessage(), 0,
                    null, e);
        }
    }

    /** Adds a category to the message, keeping those it has; a message that has it already is left alone. */
    public void categorize(String messageId, String category) throws GraphException {
        URI message = URI.create(user + "/messages/" + messageId);
        Set<String> categories = new LinkedHashSet<>();
        getJson(URI.create(message + "?%24select=categories")).path("categories")
                .forEach(c -> categories.add(c.asString()));
        if (!categories.add(category)) {
            return;
        }
        ObjectNode patch = json.createObjectNode();
        patch.putArray("categories").addAll(categories.stream().map(json.getNodeFactory()::textNode).toList());
        String body = json.writeValueAsString(patch);
        discard(send(() -> request(message).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body)).build()));
    }

    /**
     * Graph takes about 4 MB in one request and answers 413 above (microsoftgraph-docs#9834 on
     * sendMail; "Attach large files to Outlook messages or events" sends larger mail in parts): a MIME
     * send, Base64 in its body, carries about 3 MB of mail.
     */
    public static final int REQUEST_LIMIT = 4 * 1024 * 1024;
    /**
     * A file of 3 MB or more is attached through an upload session, a smaller one by one POST ("Attach
     * large files to Outlook messages or events": "If the file size is under 3 MB, do a single POST
     * […] between 3 MB and 150 MB, create an upload session"); Graph refuses an upload session for less.
     */
    static final int UPLOAD_SESSION_MINIMUM = 3 * 1024 * 1024;
    /** The largest file an upload session takes (the same page: "files up to 150 MB"). */
    static final long ATTACHMENT_LIMIT = 150L * 1024 * 1024;
    /**
     * The bytes one PUT of an upload session carries: "up to 4 MB each time" (attachment:
     * createUploadSession); 3.75 MiB, below that with room to spare.
     */
    static final int UPLOAD_CHUNK = 12 * 320 * 1024;

    /**
     * Sends a MIME message as the mailbox (Graph saves a copy in Sent Items): in one {@code sendMail}
     * when it fits in one request, otherwise as a draft made from the message without its attachments,
     * each attachment added to it (an upload session for a large one), then sent. A draft a failure
     * leaves behind is deleted.
     */
    public void sendMime(byte[] mime) throws GraphException {
        byte[] body = Base64.getMimeEncoder().encode(mime);
        if (body.length <= REQUEST_LIMIT) {
            discard(send(() -> request(URI.create(user + "/sendMail")).header("Content-Type", "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build()));
            return;
        }
        DetachedAttachments detached;
        try {
            detached = DetachedAttachments.of(mime);
        } catch (MessagingException | IOException e) {
            throw new GraphException("The message could not be read to send it in parts: " + e.getMessage(), 0,
                    null, e);
        }
        for (DetachedAttachments.Attachment attachment : detached.attachments()) {
            if (attachment.content().length > ATTACHMENT_LIMIT) {
                throw new GraphException("The attachment " + attachment.name() + " is larger than the 150 MB"
                        + " Microsoft Graph takes", 413, "ErrorAttachmentSizeShouldNotBeMoreThanMaximumSize", null);
            }
        }
        byte[] draft = Base64.getMimeEncoder().encode(detached.message());
        String id = readJson(URI.create(user + "/messages"), send(() -> request(URI.create(user + "/messages"))
                .header("Content-Type", "text/plain").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(draft)).build())).path("id").asString();
        URI message = URI.create(user + "/messages/" + id);
        try {
            for (DetachedAttachments.Attachment attachment : detached.attachments()) {
                attach(message, attachment);
            }
            discard(send(() -> request(URI.create(message + "/send")).POST(HttpRequest.BodyPublishers.noBody())
                    .build()));
        } catch (GraphException | RuntimeException e) {
            try {
                discard(send(() -> request(message).DELETE().build()));
            } catch (GraphException left) {
                log.warn("A draft of a message that was not sent could not be deleted from {}: {}", address,
                        left.getMessage());
            }
            throw e;
        }
        log.debug("Sent a message of {} bytes from {} through a draft with {} attachment(s)", mime.length, address,
                detached.attachments().size());
    }

    private void attach(URI message, DetachedAttachments.Attachment attachment) throws GraphException {
        if (attachment.content().length < UPLOAD_SESSION_MINIMUM) {
            ObjectNode file = json.createObjectNode();
            file.put("@odata.type", "#microsoft.graph.fileAttachment");
            describe(file, attachment);
            file.put("contentBytes", Base64.getEncoder().encodeToString(attachment.content()));
            sendJson(URI.create(message + "/attachments"), "POST", file);
            return;
        }
        ObjectNode body = json.createObjectNode();
        ObjectNode item = body.putObject("AttachmentItem");
        item.put("attachmentType", "file");
        describe(item, attachment);
        item.put("size", attachment.content().length);
        JsonNode session = sendJson(URI.create(message + "/attachments/createUploadSession"), "POST", body);
        URI upload = URI.create(session.path("uploadUrl").asString());
        if (!"https".equalsIgnoreCase(upload.getScheme())) {
            throw new GraphException("Graph named an upload address that is not https", 0, null, null);
        }
        byte[] content = attachment.content();
        for (int from = 0; from < content.length; from += UPLOAD_CHUNK) {
            int to = Math.min(content.length, from + UPLOAD_CHUNK);
            String range = "bytes " + from + "-" + (to - 1) + "/" + content.length;
            int start = from;
            // The upload address carries its own authorisation: Graph's token is not sent there
            // ("Don't specify an Authorization request header").
            discard(send(() -> HttpRequest.newBuilder(upload).timeout(properties.requestTimeout())
                    .header("Content-Type", "application/octet-stream").header("Content-Range", range)
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(content, start, to - start)).build()));
        }
    }

    private static void describe(ObjectNode attachment, DetachedAttachments.Attachment detached) {
        attachment.put("name", detached.name());
        attachment.put("contentType", detached.contentType());
        attachment.put("isInline", detached.inline());
        if (detached.contentId() != null) {
            attachment.put("contentId", detached.contentId());
        }
    }

    /**
     * A change-notification subscription and when Graph ends it unless renewed.
     *
     * @param renewAt when half of the lifetime Graph granted has passed: a renewal that fails then has
     *        the other half to succeed
     */
    public record NotificationSubscription(String id, Instant expires, Instant renewAt) {
    }

    /**
     * The longest subscription to Outlook messages: 4,230 minutes. Microsoft's "Microsoft Graph
     * webhooks update – March 2016" set "a maximum expirationDateTime of 4230 minutes" for Outlook data,
     * and Graph answers a longer one with 400 "Subscription expiration can only be 4230 minutes in the
     * future"; the subscription resource page now names 10,080 minutes, the lower figure is what holds
     * everywhere. A longer lifetime asked for is capped here.
     */
    public static final Duration MAX_SUBSCRIPTION_LIFETIME = Duration.ofMinutes(4230);
    /** Graph's 400 when the lifetime asked for is beyond its cap, which it names. */
    private static final Pattern LIFETIME_REFUSED = Pattern.compile("can only be (\\d+) minutes in the future");
    private static final AtomicBoolean LOWER_CAP_LOGGED = new AtomicBoolean();

    /**
     * Subscribes to messages created in the folder. Graph first checks the notification address
     * answers its validation request, so this returns only once it did.
     *
     * @param clientState the secret every notification of this subscription will carry back
     */
    public NotificationSubscription subscribe(String folderId, String notificationUrl, String clientState,
            Instant expires) throws GraphException {
        return withinCap(expires, until -> {
            ObjectNode body = json.createObjectNode();
            body.put("changeType", "created");
            body.put("notificationUrl", notificationUrl);
            body.put("lifecycleNotificationUrl", notificationUrl);
            body.put("resource", "/users/" + address + "/mailFolders('" + folderId + "')/messages");
            body.put("expirationDateTime", until.toString());
            body.put("clientState", clientState);
            return sendJson(URI.create(base + "/subscriptions"), "POST", body);
        });
    }

    /** Extends the subscription to {@code expires}; this also reauthorizes it. */
    public NotificationSubscription renew(String subscriptionId, Instant expires) throws GraphException {
        return withinCap(expires, until -> {
            ObjectNode body = json.createObjectNode();
            body.put("expirationDateTime", until.toString());
            return sendJson(subscriptionUri(subscriptionId), "PATCH", body);
        });
    }

    /**
     * Asks for at most {@link #MAX_SUBSCRIPTION_LIFETIME}; should Graph refuse even that, naming a lower
     * cap, asks once more at a minute under it (and says so once per process).
     */
    private NotificationSubscription withinCap(Instant expires, SubscriptionCall call) throws GraphException {
        Instant asked = Instant.now();
        Instant until = expires.isAfter(asked.plus(MAX_SUBSCRIPTION_LIFETIME)) ? asked.plus(MAX_SUBSCRIPTION_LIFETIME)
                : expires;
        try {
            return subscription(call.until(until), asked);
        } catch (GraphException e) {
            Matcher cap = e.status() == 400 && e.getMessage() != null ? LIFETIME_REFUSED.matcher(e.getMessage()) : null;
            if (cap == null || !cap.find()) {
                throw e;
            }
            Duration allowed = Duration.ofMinutes(Math.max(1, Long.parseLong(cap.group(1)) - 1));
            if (LOWER_CAP_LOGGED.compareAndSet(false, true)) {
                log.warn("Microsoft Graph allows change-notification subscriptions of {} minutes only; asking for "
                        + "that (listener.graph.subscription-lifetime)", cap.group(1));
            }
            asked = Instant.now();
            return subscription(call.until(asked.plus(allowed)), asked);
        }
    }

    @FunctionalInterface
    private interface SubscriptionCall {

        JsonNode until(Instant expires) throws GraphException;
    }

    /** Ends the subscription; one Graph no longer knows is ended already. */
    public void unsubscribe(String subscriptionId) throws GraphException {
        try {
            discard(send(() -> request(subscriptionUri(subscriptionId)).DELETE().build()));
        } catch (GraphException e) {
            if (!e.itemNotFound()) {
                throw e;
            }
        }
    }

    private URI subscriptionUri(String subscriptionId) {
        return URI.create(base + "/subscriptions/" + URLEncoder.encode(subscriptionId, StandardCharsets.UTF_8));
    }

    private static NotificationSubscription subscription(JsonNode body, Instant asked) {
        Instant expires = Instant.parse(body.path("expirationDateTime").asString());
        Duration granted = Duration.between(asked, expires);
        return new NotificationSubscription(body.path("id").asString(), expires,
                asked.plus(granted.isNegative() ? Duration.ZERO : granted.dividedBy(2)));
    }

    private JsonNode sendJson(URI uri, String method, ObjectNode body) throws GraphException {
        return sendJson(uri, method, body, 1);
    }

    /** @param requests how many of the mailbox's concurrent requests it is ($batch: one per member) */
    private JsonNode sendJson(URI uri, String method, ObjectNode body, int requests) throws GraphException {
        String text = json.writeValueAsString(body);
        HttpResponse<InputStream> response = send(() -> request(uri).header("Content-Type", "application/json")
                .header("Accept", "application/json").method(method, HttpRequest.BodyPublishers.ofString(text))
                .build(), requests);
        return readJson(uri, response);
    }

    /** One request's answer in a {@code $batch}: its status and JSON body. */
    private record Answer(int status, String code, String message, JsonNode body) {

        /** The failure this answer is, or null for a success. */
        GraphException failure(String url) {
            if (status / 100 == 2) {
                return null;
            }
            String path = url.contains("?") ? url.substring(0, url.indexOf('?')) : url;
            return new GraphException("Graph answered GET " + path + " (in $batch) with " + status
                    + (code == null ? "" : " " + code) + ": " + message, status, code, null);
        }
    }

    /**
     * GETs of these paths (below Graph's base address) in {@code $batch} requests of at most
     * {@value #BATCH_LIMIT}, one round trip each; a member Graph throttles is asked again after its
     * {@code Retry-After}, as a single call is. The answers come in the order of the paths.
     */
    private List<Answer> batchGet(List<String> paths, String... prefer) throws GraphException {
        Answer[] answers = new Answer[paths.size()];
        List<Integer> pending = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            pending.add(i);
        }
        List<String> preferences = new ArrayList<>(List.of(IMMUTABLE_IDS));
        preferences.addAll(List.of(prefer));
        for (int attempt = 0; !pending.isEmpty(); attempt++) {
            List<Integer> throttled = new ArrayList<>();
            Duration wait = Duration.ZERO;
            // All members are this mailbox's: a batch has no more than its concurrency allows.
            int perBatch = Math.min(BATCH_LIMIT, MAILBOX_CONCURRENCY);
            for (int from = 0; from < pending.size(); from += perBatch) {
                ObjectNode batch = json.createObjectNode();
                var requests = batch.putArray("requests");
                for (int i : pending.subList(from, Math.min(pending.size(), from + perBatch))) {
                    ObjectNode request = requests.addObject().put("id", String.valueOf(i)).put("method", "GET")
                            .put("url", paths.get(i));
                    request.putObject("headers").put("Prefer", String.join(", ", preferences));
                }
                int members = requests.size();
                for (JsonNode response : sendJson(URI.create(base + "/$batch"), "POST", batch, members)
                        .path("responses")) {
                    int i = Integer.parseInt(response.path("id").asString());
                    int status = response.path("status").asInt();
                    Duration retryAfter = seconds(response.path("headers").path("Retry-After").asString(null));
                    if ((status == 429 || status == 503) && attempt < THROTTLE_RETRIES && retryAfter != null
                            && retryAfter.compareTo(properties.maxRetryAfter()) <= 0) {
                        throttled.add(i);
                        wait = wait.compareTo(retryAfter) < 0 ? retryAfter : wait;
                        continue;
                    }
                    JsonNode error = response.path("body").path("error");
                    answers[i] = new Answer(status, error.path("code").asString(null),
                            error.path("message").asString(""), response.path("body"));
                }
            }
            if (!throttled.isEmpty()) {
                pause(wait);
            }
            pending = throttled;
        }
        for (int i = 0; i < answers.length; i++) {
            if (answers[i] == null) {
                throw new GraphException("Graph's $batch answer left out the request for " + paths.get(i), 200, null,
                        null);
            }
        }
        return List.of(answers);
    }

    /** A link Graph gave is followed only to Graph's own address: the token goes nowhere else. */
    private URI own(String link) throws GraphException {
        if (!link.startsWith(base + "/")) {
            throw new GraphException("Not a link of " + base + ": " + link, 0, null, null);
        }
        return URI.create(link);
    }

    private URI link(JsonNode node) throws GraphException {
        return node.isMissingNode() || node.isNull() ? null : own(node.asString());
    }

    private JsonNode getJson(URI uri, String... prefer) throws GraphException {
        HttpResponse<InputStream> response = send(() -> {
            HttpRequest.Builder request = request(uri).header("Accept", "application/json");
            for (String preference : prefer) {
                request.header("Prefer", preference);
            }
            return request.GET().build();
        });
        return readJson(uri, response);
    }

    private JsonNode readJson(URI uri, HttpResponse<InputStream> response) throws GraphException {
        try (InputStream in = response.body()) {
            return json.readTree(in);
        } catch (IOException | RuntimeException e) {
            throw new GraphException("Graph answered " + uri.getPath() + " with unreadable JSON: " + e.getMessage(),
                    response.statusCode(), null, e);
        }
    }

    private HttpRequest.Builder request(URI uri) throws GraphException {
        return HttpRequest.newBuilder(uri).timeout(properties.requestTimeout())
                .header("Authorization", "Bearer " + tokens.token(tenant)).header("Prefer", IMMUTABLE_IDS);
    }

    private interface RequestSource {
        HttpRequest get() throws GraphException;
    }

    /** Sends, waiting out throttling; a non-2xx answer is thrown with Graph's error code. */
    private HttpResponse<InputStream> send(RequestSource source) throws GraphException {
        return send(source, 1);
    }

    /**
     * Sends, holding {@code requests} of the mailbox's concurrent requests until Graph has answered
     * (its headers: a body is read after), and waits out throttling.
     */
    private HttpResponse<InputStream> send(RequestSource source, int requests) throws GraphException {
        for (int attempt = 0;; attempt++) {
            HttpRequest request = source.get();
            HttpResponse<InputStream> response;
            try {
                concurrency.acquire(Math.min(requests, MAILBOX_CONCURRENCY));
                try {
                    response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
                } finally {
                    concurrency.release(Math.min(requests, MAILBOX_CONCURRENCY));
                }
            } catch (IOException e) {
                throw new GraphException("Graph cannot be reached: " + e, 0, null, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GraphException("Interrupted while waiting for Graph", 0, null, e);
            }
            int status = response.statusCode();
            if (status / 100 == 2) {
                return response;
            }
            String text = readError(response);
            Duration retryAfter = retryAfter(response);
            if ((status == 429 || status == 503) && attempt < THROTTLE_RETRIES && retryAfter != null
                    && retryAfter.compareTo(properties.maxRetryAfter()) <= 0) {
                pause(retryAfter);
                continue;
            }
            String code = null;
            String message = text;
            try {
                JsonNode error = json.readTree(text).path("error");
                code = error.path("code").asString(null);
                message = error.path("message").asString(text);
            } catch (RuntimeException e) {
                // Not Graph's JSON error: the text is the message.
            }
            throw new GraphException("Graph answered " + request.method() + " " + request.uri().getPath() + " with "
                    + status + (code == null ? "" : " " + code) + ": " + message, status, code, null);
        }
    }

    private static Duration retryAfter(HttpResponse<?> response) {
        return seconds(response.headers().firstValue("Retry-After").orElse(null));
    }

    private static Duration seconds(String text) {
        try {
            return text == null ? null : Duration.ofSeconds(Long.parseLong(text.trim()));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String readError(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            return new String(in.readNBytes(8192), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static void discard(HttpResponse<InputStream> response) throws GraphException {
        try (InputStream in = response.body()) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new GraphException("Reading Graph's answer failed: " + e.getMessage(), 0, null, e);
        }
    }

    private static void pause(Duration duration) throws GraphException {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GraphException("Interrupted while waiting out Graph's throttling", 0, null, e);
        }
    }

    /**
     * An id as {@code translateExchangeIds} answered it: {@code targetId} when Graph translated it, else
     * null and Graph's reason in {@code error}.
     */
    public record IdTranslation(String sourceId, String targetId, String error) {
    }

    /**
     * Translates EWS folder ids to Graph's, in one {@code translateExchangeIds} call for every 1000 ids
     * (Graph's limit). Graph answers each id on its own: one it cannot translate does not fail the
     * call. The target is Graph's regular id ({@code restId}): folders have no immutable ids, since a
     * folder's id never changes, and Graph names folders by their regular ids even when asked for
     * immutable ones.
     */
    public List<IdTranslation> folderIdsFromEws(List<String> ewsIds) throws GraphException {
        URI uri = URI.create(user + "/translateExchangeIds");
        List<IdTranslation> translations = new ArrayList<>();
        for (int from = 0; from < ewsIds.size(); from += 1000) {
            ObjectNode request = json.createObjectNode();
            request.putArray("inputIds").addAll(ewsIds.subList(from, Math.min(from + 1000, ewsIds.size())).stream()
                    .map(json.getNodeFactory()::textNode).toList());
            request.put("sourceIdType", "ewsId").put("targetIdType", "restId");
            for (JsonNode result : sendJson(uri, "POST", request).path("value")) {
                JsonNode error = result.path("errorDetails");
                translations.add(new IdTranslation(result.path("sourceId").asString(),
                        result.path("targetId").asString(null), error.isMissingNode() || error.isNull() ? null
                                : error.path("code").asString("") + ": " + error.path("message").asString("")));
            }
        }
        return translations;
    }

    /**
     * @param messages the messages, oldest first
     * @param more whether the folder has more of them than {@code max} allowed
     */
    public record ReceivedPage(List<MessageRef> messages, boolean more) {
    }

    /**
     * The folder's messages received in {@code [from, until)}, oldest first, at most {@code max}, read
     * page by page through Graph's next links.
     */
    public ReceivedPage received(String folderId, Instant from, Instant until, int max) throws GraphException {
        String filter = "receivedDateTime ge " + wholeSecond(from) + " and receivedDateTime lt " + wholeSecond(until);
        // Graph lists at most 1000 messages a page.
        URI next = URI.create(user + "/mailFolders/" + folderId + "/messages?%24filter="
                + URLEncoder.encode(filter, StandardCharsets.UTF_8)
                + "&%24orderby=receivedDateTime&%24select=id,receivedDateTime&%24top=" + Math.min(max, 1000));
        List<MessageRef> messages = new ArrayList<>();
        while (next != null && messages.size() < max) {
            JsonNode body = getJson(next);
            for (JsonNode message : body.path("value")) {
                messages.add(messageRef(message));
            }
            next = link(body.path("@odata.nextLink"));
        }
        boolean more = next != null || messages.size() > max;
        return new ReceivedPage(List.copyOf(messages.subList(0, Math.min(messages.size(), max))), more);
    }

    private static MessageRef messageRef(JsonNode message) {
        String received = message.path("receivedDateTime").asString(null);
        String internetMessageId = message.path("internetMessageId").asString(null);
        return new MessageRef(message.path("id").asString(),
                received == null || received.isEmpty() ? null : Instant.parse(received),
                internetMessageId == null || internetMessageId.isBlank() ? null : internetMessageId);
    }

    /**
     * The instant as a filter literal, rounded up to its second: Graph keeps receive times to the
     * second, so a bound rounded up selects the same messages.
     */
    private static Instant wholeSecond(Instant instant) {
        Instant second = instant.truncatedTo(ChronoUnit.SECONDS);
        return second.equals(instant) ? second : second.plusSeconds(1);
    }
}
