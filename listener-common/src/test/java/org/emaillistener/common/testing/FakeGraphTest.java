package org.emaillistener.common.testing;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Drives {@link FakeGraph} the way a Graph client would: the JDK HttpClient, and msal4j for tokens. */
class FakeGraphTest {

    private static final String TENANT = "11111111-2222-3333-4444-555555555555";
    private static final String CLIENT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    private static final String SECRET = "s3cr3t~value";
    private static final String USER = "anna@contoso.example";

    private final JsonMapper json = JsonMapper.builder().build();
    private FakeGraph graph;
    private HttpClient http;
    private Receiver receiver;
    private String token;

    @BeforeEach
    void setUp() throws Exception {
        graph = new FakeGraph();
        graph.addTenant(TENANT, CLIENT, SECRET);
        graph.addUser(TENANT, USER);
        http = HttpClient.newBuilder().sslContext(FakeGraph.trustingContext()).build();
        receiver = new Receiver();
        token = msalToken();
    }

    @AfterEach
    void tearDown() {
        graph.close();
        graph.close();
        http.close();
        receiver.close();
    }

    private String msalToken() throws Exception {
        ConfidentialClientApplication app = ConfidentialClientApplication
                .builder(CLIENT, ClientCredentialFactory.createFromSecret(SECRET))
                .authority(graph.authorityUrl(TENANT))
                .validateAuthority(false)
                .instanceDiscovery(false)
                .sslSocketFactory(FakeGraph.trustingContext().getSocketFactory())
                .build();
        IAuthenticationResult result = app.acquireToken(ClientCredentialParameters
                .builder(Set.of("https://graph.microsoft.com/.default")).build()).get(30, SECONDS);
        return result.accessToken();
    }

    @Test
    void msalGetsATokenAndAnExpiredTokenIsRefused() throws Exception {
        assertThat(token).isNotBlank();
        // With authority validation and instance discovery off, msal4j asks the authority nothing else.
        assertThat(graph.requests()).containsExactly("POST /" + TENANT + "/oauth2/v2.0/token");
        assertThat(get("/users/" + USER + "/mailFolders/inbox").statusCode()).isEqualTo(200);

        HttpResponse<String> wrongSecret = http.send(HttpRequest.newBuilder(URI.create(graph.tokenUrl(TENANT)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=" + CLIENT
                        + "&client_secret=nope&scope=" + URLEncoder.encode("https://graph.microsoft.com/.default",
                                StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrongSecret.statusCode()).isEqualTo(401);
        assertThat(tree(wrongSecret).path("error").asString()).isEqualTo("invalid_client");

        graph.setTokenLifetime(Duration.ofSeconds(1));
        token = plainToken();
        Thread.sleep(1_100);
        HttpResponse<String> expired = get("/users/" + USER + "/mailFolders/inbox");
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(tree(expired).path("error").path("code").asString()).isEqualTo("InvalidAuthenticationToken");
        assertThat(expired.headers().firstValue("WWW-Authenticate")).isPresent();
    }

    @Test
    void foldersArePagedAndWellKnownNamesResolve() throws Exception {
        String inbox = graph.folderId(USER, "inbox");
        String projects = graph.addFolder(USER, inbox, "Projects");
        for (int i = 0; i < 6; i++) {
            graph.addFolder(USER, graph.folderId(USER, "msgfolderroot"), "Extra " + i);
        }
        JsonNode first = tree(get("/users/" + USER + "/mailFolders?$top=8"));
        assertThat(first.path("value")).hasSize(8);
        JsonNode second = tree(getAbsolute(first.path("@odata.nextLink").asString()));
        assertThat(second.path("value")).hasSize(4);
        assertThat(second.has("@odata.nextLink")).isFalse();

        JsonNode byName = tree(get("/users/" + USER + "/mailFolders('Inbox')"));
        assertThat(byName.path("id").asString()).isEqualTo(inbox);
        assertThat(byName.path("childFolderCount").asInt()).isEqualTo(1);
        JsonNode children = tree(get("/users/" + graph.userId(USER) + "/mailFolders/" + inbox + "/childFolders"));
        assertThat(children.path("value").get(0).path("id").asString()).isEqualTo(projects);
        assertThat(children.path("value").get(0).path("parentFolderId").asString()).isEqualTo(inbox);

        HttpResponse<String> unknown = get("/users/nobody@contoso.example/mailFolders");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(tree(unknown).path("error").path("code").asString()).isEqualTo("ErrorInvalidUser");
    }

    @Test
    void deltaPagesThenDeltaLinkThenOnlyChangesThenGone() throws Exception {
        String inbox = graph.folderId(USER, "inbox");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(graph.createMessage(USER, inbox, mime("m" + i)));
        }
        List<String> seen = new ArrayList<>();
        String link = graph.graphUrl() + "/users/" + USER + "/mailFolders/inbox/messages/delta?$select="
                + "subject,receivedDateTime,internetMessageId";
        String deltaLink = null;
        int pages = 0;
        while (deltaLink == null) {
            HttpResponse<String> page = http.send(authorized(link).header("Prefer", "odata.maxpagesize=2")
                    .header("Prefer", "IdType=\"ImmutableId\"").GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            JsonNode body = tree(page);
            body.path("value").forEach(m -> seen.add(m.path("id").asString()));
            body.path("value").forEach(m -> assertThat(m.path("subject").asString()).startsWith("m"));
            pages++;
            if (body.has("@odata.nextLink")) {
                link = body.path("@odata.nextLink").asString();
                assertThat(link).contains("skiptoken");
            } else {
                deltaLink = body.path("@odata.deltaLink").asString();
            }
        }
        assertThat(pages).isEqualTo(3);
        // In no promised order, and the same item may come twice (Graph's delta-query overview).
        assertThat(seen).hasSizeGreaterThan(ids.size());
        assertThat(new java.util.HashSet<>(seen)).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(deltaLink).contains("deltatoken");

        assertThat(tree(getAbsolute(deltaLink)).path("value")).isEmpty();
        String added = graph.createMessage(USER, inbox, mime("new"));
        graph.deleteMessage(USER, ids.get(0));
        graph.createMessage(USER, graph.folderId(USER, "sentitems"), mime("elsewhere"));
        JsonNode changes = tree(getAbsolute(deltaLink));
        Map<String, JsonNode> changed = new java.util.HashMap<>();
        changes.path("value").forEach(change -> changed.put(change.path("id").asString(), change));
        assertThat(changed).containsOnlyKeys(added, ids.get(0));
        assertThat(changed.get(added).path("subject").asString()).isEqualTo("new");
        assertThat(changed.get(ids.get(0)).path("@removed").path("reason").asString()).isEqualTo("deleted");
        String next = changes.path("@odata.deltaLink").asString();

        graph.expireDeltaTokens();
        HttpResponse<String> gone = getAbsolute(next);
        assertThat(gone.statusCode()).isEqualTo(410);
        assertThat(tree(gone).path("error").path("code").asString()).isEqualTo("syncStateNotFound");
    }

    @Test
    void valueReturnsTheExactMimeAndPatchSetsCategories() throws Exception {
        byte[] raw = ("Subject: =?UTF-8?B?0J/RgNC40LLQtdGC?=\r\nMessage-ID: <x1@contoso>\r\n"
                + "From: Bob <bob@contoso.example>\r\nTo: anna@contoso.example\r\n\r\nbody\r\n\r\n.\r\n")
                .getBytes(StandardCharsets.UTF_8);
        String id = graph.createMessage(USER, graph.folderId(USER, "inbox"), raw);
        HttpResponse<byte[]> value = http.send(authorized(graph.graphUrl() + "/users/" + USER + "/messages/" + id
                + "/$value").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(value.statusCode()).isEqualTo(200);
        assertThat(value.body()).isEqualTo(raw);

        JsonNode message = tree(get("/users/" + USER + "/messages/" + id));
        assertThat(message.path("internetMessageId").asString()).isEqualTo("<x1@contoso>");
        assertThat(message.path("subject").asString()).isEqualTo("Привет");
        assertThat(message.path("from").path("emailAddress").path("address").asString())
                .isEqualTo("bob@contoso.example");

        HttpResponse<String> patched = send("PATCH", "/users/" + USER + "/messages/" + id,
                "{\"categories\":[\"Creatio\"]}");
        assertThat(patched.statusCode()).isEqualTo(200);
        assertThat(graph.categories(USER, id)).containsExactly("Creatio");
        assertThat(get("/users/" + USER + "/messages/AAkALgnope").statusCode()).isEqualTo(404);
    }

    @Test
    void subscriptionNeedsTheValidationHandshakeThenNotifies() throws Exception {
        receiver.echo = false;
        HttpResponse<String> refused = subscribe("inbox");
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(tree(refused).path("error").path("code").asString()).isEqualTo("ValidationError");
        assertThat(graph.activeSubscriptions(USER)).isEmpty();

        receiver.echo = true;
        receiver.validationTokens.clear();
        HttpResponse<String> created = subscribe("inbox");
        assertThat(created.statusCode()).isEqualTo(201);
        String subscriptionId = tree(created).path("id").asString();
        assertThat(receiver.validationTokens).hasSize(2); // notification and lifecycle URLs
        assertThat(graph.activeSubscriptions(USER)).containsExactly(subscriptionId);

        String id = graph.createMessage(USER, graph.folderId(USER, "inbox"), mime("hello"));
        await().atMost(10, SECONDS).until(() -> receiver.notifications.size() == 1);
        JsonNode n = json.readTree(receiver.notifications.get(0)).path("value").get(0);
        assertThat(n.path("subscriptionId").asString()).isEqualTo(subscriptionId);
        assertThat(n.path("clientState").asString()).isEqualTo("secret-state");
        assertThat(n.path("changeType").asString()).isEqualTo("created");
        assertThat(n.path("tenantId").asString()).isEqualTo(TENANT);
        assertThat(n.path("resourceData").path("id").asString()).isEqualTo(id);
        assertThat(n.path("resource").asString()).isEqualTo("Users/" + graph.userId(USER) + "/Messages/" + id);
        await().atMost(10, SECONDS).until(() -> graph.notificationsSent().size() == 1);
        assertThat(graph.notificationsSent().get(0).status()).isEqualTo(202);

        graph.dropNextNotification(USER);
        graph.createMessage(USER, graph.folderId(USER, "inbox"), mime("lost"));
        graph.createMessage(USER, graph.folderId(USER, "sentitems"), mime("not watched"));
        graph.createMessage(USER, graph.folderId(USER, "inbox"), mime("third"));
        await().atMost(10, SECONDS).until(() -> receiver.notifications.size() == 2);
        Thread.sleep(200);
        assertThat(receiver.notifications).hasSize(2);

        await().atMost(10, SECONDS).until(() -> graph.notificationsSent().size() == 2);
        assertThat(graph.sendLifecycle(subscriptionId, "missed")).isEqualTo(202);
        JsonNode lifecycle = json.readTree(receiver.lifecycle.get(0)).path("value").get(0);
        assertThat(lifecycle.path("lifecycleEvent").asString()).isEqualTo("missed");
        assertThat(lifecycle.path("subscriptionId").asString()).isEqualTo(subscriptionId);

        assertThat(graph.notificationsSent()).extracting(FakeGraph.Notification::kind)
                .containsExactly("change", "change", "lifecycle");
        Instant later = Instant.now().plus(Duration.ofDays(2));
        HttpResponse<String> renewed = send("PATCH", "/subscriptions/" + subscriptionId,
                "{\"expirationDateTime\":\"" + later + "\"}");
        assertThat(renewed.statusCode()).isEqualTo(200);
        assertThat(graph.subscriptionExpiry(subscriptionId)).isEqualTo(later);
        HttpResponse<String> tooLong = send("PATCH", "/subscriptions/" + subscriptionId,
                "{\"expirationDateTime\":\"" + Instant.now().plus(Duration.ofDays(8)) + "\"}");
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(send("DELETE", "/subscriptions/" + subscriptionId, null).statusCode()).isEqualTo(204);
        assertThat(graph.activeSubscriptions(USER)).isEmpty();
        assertThat(get("/subscriptions/" + subscriptionId).statusCode()).isEqualTo(404);

        String second = tree(subscribe("inbox")).path("id").asString();
        assertThat(graph.sendLifecycle(second, "subscriptionRemoved")).isEqualTo(202);
        assertThat(graph.activeSubscriptions(USER)).isEmpty();
    }

    @Test
    void sendMailAsMimeAndAsJson() throws Exception {
        byte[] raw = mime("outgoing");
        HttpResponse<String> asMime = http.send(authorized(graph.graphUrl() + "/users/" + USER + "/sendMail")
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(Base64.getEncoder().encodeToString(raw))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(asMime.statusCode()).isEqualTo(202);
        assertThat(graph.sentMime(USER)).hasSize(1);
        assertThat(graph.sentMime(USER).get(0)).isEqualTo(raw);

        HttpResponse<String> asJson = send("POST", "/users/" + USER + "/sendMail", """
                {"message":{"subject":"Hi","body":{"contentType":"Text","content":"Hello"},
                 "toRecipients":[{"emailAddress":{"address":"bob@contoso.example"}}]},"saveToSentItems":true}""");
        assertThat(asJson.statusCode()).isEqualTo(202);
        assertThat(graph.sentJson(USER)).hasSize(1);
        List<String> sent = graph.messageIds(USER, graph.folderId(USER, "sentitems"));
        assertThat(sent).hasSize(2);
        assertThat(graph.mime(USER, sent.get(0))).isEqualTo(raw);
        assertThat(new String(graph.mime(USER, sent.get(1)), StandardCharsets.UTF_8)).contains("Subject: Hi");

        HttpResponse<String> noRecipients = send("POST", "/users/" + USER + "/sendMail",
                "{\"message\":{\"subject\":\"x\"}}");
        assertThat(noRecipients.statusCode()).isEqualTo(400);
        assertThat(tree(noRecipients).path("error").path("code").asString()).isEqualTo("ErrorInvalidRecipients");
    }

    @Test
    void aRequestOverFourMegabytesIsRefusedWith413() throws Exception {
        byte[] large = new byte[FakeGraph.REQUEST_LIMIT];
        new java.util.Random(7).nextBytes(large);
        HttpResponse<String> tooLarge = http.send(authorized(graph.graphUrl() + "/users/" + USER + "/sendMail")
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(Base64.getMimeEncoder().encodeToString(large))).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(graph.sentMime(USER)).isEmpty();
    }

    @Test
    void aDraftTakesSmallFilesByPostAndLargeOnesThroughAnUploadSessionWithoutGraphsToken() throws Exception {
        HttpResponse<String> created = http.send(authorized(graph.graphUrl() + "/users/" + USER + "/messages")
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(Base64.getEncoder().encodeToString(mime("draft"))))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).isEqualTo(201);
        String draft = "/users/" + USER + "/messages/" + tree(created).path("id").asString();

        HttpResponse<String> tooSmall = send("POST", draft + "/attachments/createUploadSession", """
                {"AttachmentItem":{"attachmentType":"file","name":"small.bin","size":1000}}""");
        assertThat(tooSmall.statusCode()).isEqualTo(400);
        assertThat(tree(tooSmall).path("error").path("code").asString())
                .isEqualTo("ErrorAttachmentSizeShouldNotBeLessThanMinimumSize");

        int size = FakeGraph.UPLOAD_SESSION_MINIMUM + 10;
        HttpResponse<String> session = send("POST", draft + "/attachments/createUploadSession",
                "{\"AttachmentItem\":{\"attachmentType\":\"file\",\"name\":\"big.bin\",\"size\":" + size + "}}");
        assertThat(session.statusCode()).isEqualTo(201);
        String upload = tree(session).path("uploadUrl").asString();
        byte[] content = new byte[size];
        new java.util.Random(3).nextBytes(content);

        HttpResponse<String> withToken = http.send(authorized(upload).header("Content-Range", "bytes 0-9/" + size)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(content, 0, 10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(withToken.statusCode()).isEqualTo(401);
        HttpResponse<String> first = put(upload, content, 0, size - 10);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(tree(first).path("nextExpectedRanges").get(0).asString()).isEqualTo(String.valueOf(size - 10));
        assertThat(put(upload, content, 0, 10).statusCode()).as("a range that does not continue").isEqualTo(400);
        HttpResponse<String> last = put(upload, content, size - 10, size);
        assertThat(last.statusCode()).isEqualTo(201);
        assertThat(last.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).contains("attachments('"));

        HttpResponse<String> sendDraft = send("POST", draft + "/send", null);
        assertThat(sendDraft.statusCode()).as(sendDraft.body()).isEqualTo(202);
        assertThat(graph.openDrafts(USER)).isZero();
        jakarta.mail.internet.MimeMessage sent = new jakarta.mail.internet.MimeMessage(
                jakarta.mail.Session.getInstance(new java.util.Properties()),
                new java.io.ByteArrayInputStream(graph.sentMime(USER).getFirst()));
        jakarta.mail.BodyPart attached = ((jakarta.mail.Multipart) sent.getContent()).getBodyPart(1);
        assertThat(attached.getFileName()).isEqualTo("big.bin");
        assertThat(attached.getInputStream().readAllBytes()).isEqualTo(content);
    }

    private HttpResponse<String> put(String upload, byte[] content, int from, int to) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(upload))
                .header("Content-Range", "bytes " + from + "-" + (to - 1) + "/" + content.length)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(content, from, to - from)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aMailboxOverItsRequestBudgetIsRefusedUntilTheWindowHasRoom() throws Exception {
        graph.mailboxBudget(3, Duration.ofSeconds(2));
        for (int i = 0; i < 3; i++) {
            assertThat(get("/users/" + USER + "/mailFolders/inbox").statusCode()).isEqualTo(200);
        }
        HttpResponse<String> refused = get("/users/" + USER + "/mailFolders/inbox");
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(tree(refused).path("error").path("code").asString()).isEqualTo("ApplicationThrottled");
        assertThat(refused.headers().firstValue("Retry-After")).hasValueSatisfying(
                seconds -> assertThat(Integer.parseInt(seconds)).isBetween(1, 2));

        Thread.sleep(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow()) * 1000);
        assertThat(get("/users/" + USER + "/mailFolders/inbox").statusCode()).isEqualTo(200);
        assertThat(graph.budgetRefusals()).isEqualTo(1);
    }

    @Test
    void throttledWithRetryAfterThenServed() throws Exception {
        graph.throttleNext("/mailFolders", 429, Duration.ofSeconds(7));
        HttpResponse<String> throttled = get("/users/" + USER + "/mailFolders");
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).hasValue("7");
        assertThat(tree(throttled).path("error").path("code").asString()).isEqualTo("TooManyRequests");
        assertThat(get("/users/" + USER + "/mailFolders").statusCode()).isEqualTo(200);
        assertThat(graph.requests()).contains("GET /v1.0/users/" + USER + "/mailFolders");

        graph.throttleNext("/messages", 503, Duration.ofSeconds(3));
        String id = graph.createMessage(USER, graph.folderId(USER, "inbox"), mime("later"));
        HttpResponse<String> unavailable = get("/users/" + USER + "/messages/" + id);
        assertThat(unavailable.statusCode()).isEqualTo(503);
        assertThat(unavailable.headers().firstValue("Retry-After")).hasValue("3");
    }

    @Test
    void batchAnswersEachRequest() throws Exception {
        String id = graph.createMessage(USER, graph.folderId(USER, "inbox"), mime("batched"));
        HttpResponse<String> batch = send("POST", "/$batch", """
                {"requests":[
                 {"id":"1","method":"GET","url":"/users/%s/messages/%s?$select=subject"},
                 {"id":"2","method":"PATCH","url":"/users/%s/messages/%s","headers":{"Content-Type":"application/json"},
                  "body":{"categories":["Creatio"]}},
                 {"id":"3","method":"GET","url":"/users/%s/messages/nope"}]}""".formatted(USER, id, USER, id, USER));
        assertThat(batch.statusCode()).isEqualTo(200);
        JsonNode responses = tree(batch).path("responses");
        assertThat(responses).hasSize(3);
        assertThat(responses.get(0).path("status").asInt()).isEqualTo(200);
        assertThat(responses.get(0).path("body").path("subject").asString()).isEqualTo("batched");
        assertThat(responses.get(1).path("status").asInt()).isEqualTo(200);
        assertThat(responses.get(2).path("status").asInt()).isEqualTo(404);
        assertThat(graph.categories(USER, id)).containsExactly("Creatio");

        StringBuilder tooMany = new StringBuilder("{\"requests\":[");
        for (int i = 0; i < 21; i++) {
            tooMany.append(i == 0 ? "" : ",").append("{\"id\":\"").append(i)
                    .append("\",\"method\":\"GET\",\"url\":\"/users/").append(USER).append("\"}");
        }
        assertThat(send("POST", "/$batch", tooMany + "]}").statusCode()).isEqualTo(400);
    }

    @Test
    void messagesReceivedInAWindowComeOldestFirstPageByPage() throws Exception {
        String inbox = graph.folderId(USER, "inbox");
        Instant from = Instant.parse("2023-12-01T00:00:00Z");
        Instant until = Instant.parse("2023-12-02T00:00:00Z");
        graph.createMessage(USER, inbox, mime("before"), from.minusSeconds(1));
        String third = graph.createMessage(USER, inbox, mime("third"), from.plusSeconds(300));
        String first = graph.createMessage(USER, inbox, mime("first"), from);
        graph.createMessage(USER, inbox, mime("at the end"), until);
        String second = graph.createMessage(USER, inbox, mime("second"), from.plusSeconds(60));
        graph.createMessage(USER, graph.folderId(USER, "sentitems"), mime("elsewhere"), from.plusSeconds(60));

        List<String> seen = new ArrayList<>();
        String link = graph.graphUrl() + "/users/" + USER + "/mailFolders/" + inbox + "/messages?%24filter="
                + URLEncoder.encode("receivedDateTime ge " + from + " and receivedDateTime lt " + until,
                        StandardCharsets.UTF_8)
                + "&%24orderby=receivedDateTime&%24select=id,receivedDateTime&%24top=2";
        int pages = 0;
        while (link != null) {
            JsonNode page = tree(getAbsolute(link));
            page.path("value").forEach(m -> {
                seen.add(m.path("id").asString());
                assertThat(m.has("receivedDateTime")).isTrue();
                assertThat(m.has("subject")).isFalse();
            });
            pages++;
            link = page.path("@odata.nextLink").asString(null);
        }

        assertThat(seen).containsExactly(first, second, third);
        assertThat(pages).isEqualTo(2);
        JsonNode newestFirst = tree(get("/users/" + USER + "/mailFolders/inbox/messages?$select=subject"));
        assertThat(newestFirst.path("value").get(0).path("subject").asString()).isEqualTo("at the end");
    }

    @Test
    void aFilterOrOrderGraphCannotReadIsAnswered400() throws Exception {
        String messages = "/users/" + USER + "/mailFolders/inbox/messages?%24filter=";
        for (String filter : List.of("receivedDateTime ge", "receivedDateTime ge 2023-12-01T00:00:00Z and",
                "receivedDateTime after 2023-12-01T00:00:00Z", "receivedDateTime ge yesterday")) {
            HttpResponse<String> refused = getAbsolute(graph.graphUrl() + messages
                    + URLEncoder.encode(filter, StandardCharsets.UTF_8));
            assertThat(refused.statusCode()).as(filter).isEqualTo(400);
            assertThat(tree(refused).path("error").path("code").asString()).isEqualTo("BadRequest");
        }
        HttpResponse<String> quoted = getAbsolute(graph.graphUrl() + messages
                + URLEncoder.encode("receivedDateTime ge '2023-12-01T00:00:00Z'", StandardCharsets.UTF_8));
        assertThat(quoted.statusCode()).isEqualTo(400);
        assertThat(tree(quoted).path("error").path("message").asString()).contains("incompatible types");

        HttpResponse<String> sortedByAnother = getAbsolute(graph.graphUrl() + messages
                + URLEncoder.encode("receivedDateTime ge 2023-12-01T00:00:00Z", StandardCharsets.UTF_8)
                + "&%24orderby=createdDateTime");
        assertThat(sortedByAnother.statusCode()).isEqualTo(400);
        assertThat(tree(sortedByAnother).path("error").path("code").asString()).isEqualTo("InefficientFilter");
    }

    // --- helpers ---

    private HttpResponse<String> subscribe(String folder) throws Exception {
        return send("POST", "/subscriptions", """
                {"changeType":"created","notificationUrl":"%s","lifecycleNotificationUrl":"%s",
                 "resource":"users/%s/mailFolders('%s')/messages","expirationDateTime":"%s",
                 "clientState":"secret-state"}""".formatted(receiver.url("/notify"), receiver.url("/lifecycle"),
                USER, folder, Instant.now().plus(Duration.ofHours(1))));
    }

    private String plainToken() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(graph.tokenUrl(TENANT)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=" + CLIENT
                        + "&client_secret=" + URLEncoder.encode(SECRET, StandardCharsets.UTF_8) + "&scope="
                        + URLEncoder.encode("https://graph.microsoft.com/.default", StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = tree(response);
        assertThat(body.path("token_type").asString()).isEqualTo("Bearer");
        assertThat(body.path("expires_in").asInt()).isEqualTo(1);
        return body.path("access_token").asString();
    }

    private HttpRequest.Builder authorized(String url) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return getAbsolute(graph.graphUrl() + path.replace("$", "%24").replace("'", "%27"));
    }

    private HttpResponse<String> getAbsolute(String url) throws Exception {
        return http.send(authorized(url).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = authorized(graph.graphUrl() + path.replace("$", "%24"));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode tree(HttpResponse<String> response) {
        return json.readTree(response.body());
    }

    private static byte[] mime(String subject) {
        return ("Subject: " + subject + "\r\nMessage-ID: <" + subject + "@test>\r\nFrom: bob@contoso.example\r\n"
                + "To: anna@contoso.example\r\n\r\nHello\r\n").getBytes(StandardCharsets.UTF_8);
    }

    /** The listener's side: a notification endpoint that answers Graph's validation handshake. */
    private static final class Receiver implements AutoCloseable {
        final HttpServer server;
        final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        final List<String> validationTokens = new CopyOnWriteArrayList<>();
        final List<String> notifications = new CopyOnWriteArrayList<>();
        final List<String> lifecycle = new CopyOnWriteArrayList<>();
        volatile boolean echo = true;

        Receiver() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(executor);
            server.createContext("/", this::handle);
            server.start();
        }

        String url(String path) {
            return "http://127.0.0.1:" + server.getAddress().getPort() + path;
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                String query = exchange.getRequestURI().getRawQuery();
                byte[] body = exchange.getRequestBody().readAllBytes();
                if (query != null && query.startsWith("validationToken=")) {
                    String validationToken = URLDecoder.decode(query.substring("validationToken=".length()),
                            StandardCharsets.UTF_8);
                    validationTokens.add(validationToken);
                    byte[] answer = (echo ? validationToken : "").getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", "text/plain");
                    exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
                    exchange.getResponseBody().write(answer);
                    return;
                }
                String text = new String(body, StandardCharsets.UTF_8);
                (exchange.getRequestURI().getPath().equals("/lifecycle") ? lifecycle : notifications).add(text);
                exchange.sendResponseHeaders(202, -1);
            }
        }

        @Override
        public void close() {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    @Test
    void translatesFolderIdsBetweenEwsAndGraphForms() throws Exception {
        String inbox = graph.folderId(USER, "inbox");
        String projects = graph.addFolder(USER, inbox, "Projects");
        String ewsInbox = graph.ewsFolderId(USER, inbox);
        String ewsProjects = graph.ewsFolderId(USER, projects);
        assertThat(ewsInbox).isNotEqualTo(inbox).containsAnyOf("/", "+").doesNotContain("-", "_");
        assertThat(graph.ewsFolderId(USER, "inbox")).isEqualTo(ewsInbox);

        JsonNode toGraph = tree(translate("ewsId", "restId", ewsInbox, ewsProjects));
        assertThat(toGraph.path("value")).hasSize(2);
        assertThat(toGraph.path("value").get(0).path("sourceId").asString()).isEqualTo(ewsInbox);
        assertThat(toGraph.path("value").get(0).path("targetId").asString()).isEqualTo(inbox);
        assertThat(toGraph.path("value").get(1).path("targetId").asString()).isEqualTo(projects);
        assertThat(toGraph.path("value").get(1).has("errorDetails")).isFalse();

        JsonNode toEws = tree(translate("restId", "ewsId", projects));
        assertThat(toEws.path("value").get(0).path("targetId").asString()).isEqualTo(ewsProjects);
        assertThat(graph.requests()).contains("POST /v1.0/users/" + USER + "/translateExchangeIds");
    }

    @Test
    void answersEachIdItCannotTranslateWithItsErrorAndTheCallStillSucceeds() throws Exception {
        String inbox = graph.folderId(USER, "inbox");
        String unknown = graph.ewsFolderId(USER, inbox).replace("AQMkAD", "AAMkAD");

        HttpResponse<String> response = translate("ewsId", "restId", inbox, unknown, graph.ewsFolderId(USER, inbox));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode value = tree(response).path("value");
        assertThat(value).hasSize(3);
        assertThat(value.get(0).path("sourceId").asString()).isEqualTo(inbox);
        assertThat(value.get(0).has("targetId")).isFalse();
        assertThat(value.get(0).path("errorDetails").path("code").asString()).isEqualTo("ErrorInvalidIdMalformed");
        assertThat(value.get(1).has("targetId")).isFalse();
        assertThat(value.get(1).path("errorDetails").path("code").asString()).isEqualTo("ErrorItemNotFound");
        assertThat(value.get(2).path("targetId").asString()).isEqualTo(inbox);

        JsonNode immutable = tree(translate("restId", "restImmutableEntryId", inbox)).path("value").get(0);
        assertThat(immutable.has("targetId")).isFalse();
        assertThat(immutable.has("errorDetails")).isTrue();
        assertThat(translate("ewsId", "graphId", inbox).statusCode()).isEqualTo(400);
    }

    @Test
    void aFolderLookupRefusesAnEwsFolderId() throws Exception {
        String ewsInbox = graph.ewsFolderId(USER, graph.folderId(USER, "inbox"));

        HttpResponse<String> byEwsId = getAbsolute(graph.graphUrl() + "/users/" + USER + "/mailFolders/"
                + URLEncoder.encode(ewsInbox, StandardCharsets.UTF_8));

        assertThat(byEwsId.statusCode()).isEqualTo(400);
        assertThat(tree(byEwsId).path("error").path("code").asString()).isEqualTo("ErrorInvalidIdMalformed");
        assertThat(get("/users/" + USER + "/mailFolders/AAMkADunknownAAA=").statusCode()).isEqualTo(404);
    }

    private HttpResponse<String> translate(String sourceIdType, String targetIdType, String... ids) throws Exception {
        return send("POST", "/users/" + USER + "/translateExchangeIds", json.writeValueAsString(Map.of(
                "inputIds", List.of(ids), "sourceIdType", sourceIdType, "targetIdType", targetIdType)));
    }
}
