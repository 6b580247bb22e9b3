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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

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

    private static final String IMMUTABLE_IDS = "IdType=\"ImmutableId\"";
    private static final int THROTTLE_RETRIES = 3;

    private final HttpClient http;
    private final JsonMapper json;
    private final GraphTokens tokens;
    private final GraphProperties.Tenant tenant;
    private final GraphProperties properties;
    private final String base;
    private final String user;

    GraphMailbox(HttpClient http, JsonMapper json, GraphTokens tokens, GraphProperties.Tenant tenant,
            GraphProperties properties, String address) {
        this.http = http;
        this.json = json;
        this.tokens = tokens;
        this.tenant = tenant;
        this.properties = properties;
        this.base = properties.graphUrl().replaceAll("/+$", "");
        this.user = base + "/users/" + URLEncoder.encode(address, StandardCharsets.UTF_8);
    }

    /** A mail folder; {@code parentId} is null for the folders below the mailbox's root. */
    public record GraphFolder(String id, String name, String parentId) {
    }

    /** A message the delta reported as added or changed in its folder. */
    public record MessageRef(String id, Instant receivedAt) {
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
        URI uri = link != null ? own(link)
                : URI.create(user + "/mailFolders/" + folderId + "/messages/delta?%24select=id,receivedDateTime");
        JsonNode body = getJson(uri, "odata.maxpagesize=" + pageSize);
        List<MessageRef> changed = new ArrayList<>();
        for (JsonNode message : body.path("value")) {
            if (message.has("@removed")) {
                continue;
            }
            changed.add(messageRef(message));
        }
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
     * Whether the folder changed after this delta link, read as cheaply as Graph allows: one message at
     * most, ids only. The link stays valid for the sync that follows.
     */
    public boolean changedSince(String deltaLink) throws GraphException {
        JsonNode body = getJson(own(deltaLink), "odata.maxpagesize=1");
        return !body.path("value").isEmpty() || body.has("@odata.nextLink");
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

    /** Sends a MIME message as the mailbox (Graph saves a copy in Sent Items). */
    public void sendMime(byte[] mime) throws GraphException {
        byte[] body = java.util.Base64.getMimeEncoder().encode(mime);
        discard(send(() -> request(URI.create(user + "/sendMail")).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build()));
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
        for (int attempt = 0;; attempt++) {
            HttpRequest request = source.get();
            HttpResponse<InputStream> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
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
        try {
            return response.headers().firstValue("Retry-After").map(s -> Duration.ofSeconds(Long.parseLong(s.trim())))
                    .orElse(null);
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
        return new MessageRef(message.path("id").asString(),
                received == null || received.isEmpty() ? null : Instant.parse(received));
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
