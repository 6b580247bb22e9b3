package org.emaillistener.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.emaillistener.standalone.SubscriptionEndToEndTest.assertDeliveredOnce;
import static org.emaillistener.standalone.SubscriptionEndToEndTest.awaitEmailsFor;
import static org.emaillistener.standalone.SubscriptionEndToEndTest.emailsFor;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.emaillistener.common.creatio.DotNetTicks;
import org.emaillistener.common.testing.CreatioRequests;
import org.emaillistener.common.testing.CreatioStandIn;
import org.emaillistener.common.testing.FakeExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

import com.sun.net.httpserver.HttpServer;

import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import tools.jackson.databind.JsonNode;

/**
 * Exchange mailboxes end to end: Creatio registers them in its unquoted dialect with the EWS address
 * of a fake Exchange server that speaks EWS's SOAP; items created there reach the Creatio stand-in
 * once, through the streaming subscription, the sync job's SyncFolderItems and GetItem's MIME
 * content, converted by the same mapping as IMAP mail.
 */
@SpringBootTest(classes = StandaloneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "listener.jobs.retry-initial-delay=200ms", "listener.jobs.retry-max-delay=1s",
                "listener.exchange.reconnect-initial-delay=200ms", "listener.exchange.reconnect-max-delay=1s",
                "listener.exchange.request-timeout=10s" })
class ExchangeEndToEndTest extends EndToEndTest {

    static FakeExchange exchange;

    @BeforeAll
    static void startExchange() throws Exception {
        exchange = new FakeExchange();
        exchange.setHeartbeatInterval(Duration.ofSeconds(1));
        exchange.setMinuteLength(Duration.ofSeconds(2));
    }

    @AfterAll
    static void stopExchange() {
        exchange.close();
    }

    @Test
    void deliversEachItemCreatedInTheInboxOnceLikeImapMail() throws Exception {
        String user = newUser("inbox");
        subscribe(user, List.of(), 0);

        exchange.createMessage(user, exchange.folderId(user, "inbox"), mime(user, "Quarterly report",
                "<report-" + user + ">"));
        exchange.createMessage(user, exchange.folderId(user, "inbox"), mime(user, "Second", "<second-" + user + ">"));

        List<JsonNode> emails = awaitEmailsFor(user, 2);
        JsonNode report = emails.stream().filter(email -> email.get("Subject").asString().equals("Quarterly report"))
                .findFirst().orElseThrow();
        assertThat(report.get("MessageId").asString()).isEqualTo("<report-" + user + ">");
        assertThat(report.get("Sender").asString()).isEqualTo("Alice Example <alice@example.com>");
        assertThat(report.get("Recepients").get(0).asString()).isEqualTo(user);
        assertThat(report.get("Body").asString()).contains("Hello from Quarterly report");
        assertThat(report.get("Attachments").isArray()).isTrue();
        assertDeliveredOnce(user, 2);
    }

    @Test
    void catchesUpOnItemsCreatedWhileTheStreamWasDownAndTheSubscriptionForgotten() throws Exception {
        String user = newUser("dropped");
        subscribe(user, List.of(), 0);

        // The subscription is gone before the item arrives: no event will ever announce it.
        exchange.expireSubscriptions();
        exchange.createMessage(user, exchange.folderId(user, "inbox"), mime(user, "While down", "<down-" + user + ">"));
        exchange.dropStreams();

        awaitEmailsFor(user, 1);
        assertThat(exchange.requests()).filteredOn(request -> request.equals("Subscribe " + user)).hasSizeGreaterThan(1);
        exchange.createMessage(user, exchange.folderId(user, "inbox"), mime(user, "After", "<after-" + user + ">"));
        awaitEmailsFor(user, 2);
        assertDeliveredOnce(user, 2);
    }

    @Test
    void catchesUpWhenExchangeSaysItDroppedNotifications() throws Exception {
        String user = newUser("missed");
        subscribe(user, List.of(), 0);

        exchange.createMessageLosingItsEvents(user, exchange.folderId(user, "inbox"),
                mime(user, "Missed", "<missed-" + user + ">"));
        exchange.closeStreams();

        awaitEmailsFor(user, 1);
        assertDeliveredOnce(user, 1);
        // The subscription that lost events is gone (FakeExchange, after Microsoft's guidance): a new
        // one was made, and it hears of the next mail within the deadline.
        assertThat(exchange.requests()).filteredOn(request -> request.equals("Subscribe " + user)).hasSize(2);
        long sent = System.nanoTime();
        exchange.createMessage(user, exchange.folderId(user, "inbox"), mime(user, "Next", "<next-" + user + ">"));
        awaitEmailsFor(user, 2);
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(5));
    }

    /**
     * A page of SyncFolderItems changes is delivered whole before the sync state moves; a job that
     * ended in the middle of one (Creatio failed on its second item) leaves a cursor that makes the
     * next job check the page's items against what was delivered, so the first is not posted twice.
     */
    @Test
    void finishesAPageThatAJobLeftHalfDoneWithoutPostingItsFirstHalfAgain() throws Exception {
        String user = newUser("page");
        // Received after the registration (so new mail), and there before the first sync: one page.
        Instant soon = Instant.now().plus(Duration.ofSeconds(5));
        exchange.createMessage(user, exchange.folderId(user, "inbox"), mime(user, "First", "<first-" + user + ">"),
                soon);
        exchange.createMessage(user, exchange.folderId(user, "inbox"), mime(user, "Second", "<second-" + user + ">"),
                soon);
        creatio.answerNext("ProcessFullEmail", 200, 503);

        subscribe(user, List.of(), 0);

        awaitEmailsFor(user, 2);
        assertThat(creatio.calls("ProcessFullEmail").stream().filter(call -> call.status() == 503)).isNotEmpty();
        assertDeliveredOnce(user, 2);
    }

    @Test
    void reopensTheStreamAtTheEndOfItsLifetimeAndKeepsDelivering() throws Exception {
        String user = newUser("lifetime");
        subscribe(user, List.of(), 1);
        int opened = streamsOpenedFor(user);

        await().atMost(Duration.ofSeconds(20)).until(() -> streamsOpenedFor(user) > opened + 1);
        exchange.createMessage(user, exchange.folderId(user, "inbox"), mime(user, "Later", "<later-" + user + ">"));

        awaitEmailsFor(user, 1);
        assertDeliveredOnce(user, 1);
    }

    @Test
    void watchesTheFoldersCreatioPickedByTheirExchangeIds() throws Exception {
        String user = newUser("folders");
        String projects = exchange.addFolder(user, exchange.folderId(user, "inbox"), "Projects", "IPF.Note");
        subscribe(user, List.of(projects), 0);

        exchange.createMessage(user, exchange.folderId(user, "inbox"), mime(user, "Not watched", "<no-" + user + ">"));
        exchange.createMessage(user, projects, mime(user, "Watched", "<yes-" + user + ">"));

        awaitEmailsFor(user, 1);
        assertThat(emailsFor(user)).extracting(email -> email.get("Subject").asString()).containsExactly("Watched");
        assertDeliveredOnce(user, 1);
    }

    @Test
    void asksCreatioForAFreshTokenWhenExchangeRefusesTheOldOneAndResumes() throws Exception {
        String user = "oauth-" + UUID.randomUUID() + "@example.com";
        exchange.addUser(user, "unused");
        exchange.acceptToken(user, "token-1");
        UUID mailbox = UUID.randomUUID();
        String registered = CreatioRequests.withOAuth(CreatioRequests.exchangeMailbox(mailbox, exchange.ewsUrl(), user,
                "unused", creatio.bpmEndpoint(), List.of(), 0), "token-1");
        // Creatio answers RefreshToken only after it called /update with a fresh token.
        creatio.onCall("RefreshToken", request -> {
            if (request.get("MailboxId").asString().equals(mailbox.toString())) {
                exchange.acceptToken(user, "token-2");
                var update = api().post("/api/listeners/update",
                        CreatioRequests.array(registered.replace("token-1", "token-2")));
                assertThat(update.statusCode()).isEqualTo(200);
            }
        });
        assertThat(api().post("/api/listeners/create", CreatioRequests.array(registered)).statusCode()).isEqualTo(200);
        awaitStreaming(user);

        exchange.revokeToken("token-1");
        exchange.closeStreams();

        await().atMost(Duration.ofSeconds(20)).until(() -> creatio.calls("RefreshToken").stream()
                .anyMatch(call -> call.body().get("MailboxId").asString().equals(mailbox.toString())));
        awaitStreaming(user);
        exchange.createMessage(user, exchange.folderId(user, "inbox"), mime(user, "Fresh", "<fresh-" + user + ">"));
        awaitEmailsFor(user, 1);
        assertThat(api().stateOf(mailbox.toString())).isEqualTo("exists");
    }

    @Test
    void reportsARefusedLoginToCreatioWithoutThePassword() {
        String user = newUser("wrong");
        UUID mailbox = UUID.randomUUID();
        api().post("/api/listeners/create", CreatioRequests.array(CreatioRequests.exchangeMailbox(mailbox,
                exchange.ewsUrl(), user, "Hunter2-wrong", creatio.bpmEndpoint(), List.of(), 0)));

        await().atMost(Duration.ofSeconds(20)).until(() -> creatio.calls("ProcessMailboxState").stream()
                .anyMatch(call -> call.body().get("MailboxId").asString().equals(mailbox.toString())));
        JsonNode report = creatio.calls("ProcessMailboxState").stream().map(CreatioStandIn.Call::body)
                .filter(body -> body.get("MailboxId").asString().equals(mailbox.toString())).findFirst().orElseThrow();
        assertThat(report.get("Avaliable").asBoolean()).isFalse();
        assertThat(report.get("ExceptionClassName").asString()).endsWith("AuthenticationException");
        assertThat(report.get("ExceptionMessage").asString()).isNotBlank().doesNotContain("Hunter2");
        assertThat(api().stateOf(mailbox.toString())).isEqualTo("closed");
    }

    @Test
    void categorisesDeliveredItemsWhenCreatioAsksForIt() throws Exception {
        String user = newUser("mark");
        UUID mailbox = UUID.randomUUID();
        String body = CreatioRequests.exchangeMailbox(mailbox, exchange.ewsUrl(), user, "secret",
                creatio.bpmEndpoint(), List.of(), 0).replace("MarkEmailsAsSynchronized:false",
                        "MarkEmailsAsSynchronized:true");
        assertThat(api().post("/api/listeners/create", CreatioRequests.array(body)).statusCode()).isEqualTo(200);
        awaitStreaming(user);

        String item = exchange.createMessage(user, exchange.folderId(user, "inbox"),
                mime(user, "Categorise me", "<cat-" + user + ">"));

        awaitEmailsFor(user, 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> exchange.categories(user, item).contains("Creatio"));
    }

    @Test
    void importsHistoryFromTheLoadFromDateInDotNetTicks() throws Exception {
        String user = newUser("history");
        exchange.createMessage(user, exchange.folderId(user, "inbox"), mime(user, "Old", "<old-" + user + ">"),
                Instant.now().minus(Duration.ofHours(2)));
        UUID mailbox = subscribe(user, List.of(), 0);
        exchange.createMessage(user, exchange.folderId(user, "inbox"), mime(user, "New", "<new-" + user + ">"));
        awaitEmailsFor(user, 1);
        assertThat(emailsFor(user)).extracting(email -> email.get("Subject").asString()).containsExactly("New");

        long yesterday = DotNetTicks.of(Instant.now().minus(Duration.ofDays(1)));
        var response = api().post("/api/email/synchronize", "{\"Credentials\":{\"Id\":\"" + mailbox
                + "\"},\"Filters\":\"" + yesterday + "\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        awaitEmailsFor(user, 2);
        assertThat(emailsFor(user)).extracting(email -> email.get("Subject").asString())
                .containsExactlyInAnyOrder("New", "Old");
        assertDeliveredOnce(user, 2);
    }

    @Test
    void importsTheHistoryOfAnUnregisteredMailboxWithTheRequestsCredentialsOnceAndWatchesNothing()
            throws Exception {
        String user = newUser("one-off");
        for (int i = 1; i <= 3; i++) {
            exchange.createMessage(user, exchange.folderId(user, "inbox"), mime(user, "Old " + i, "<old-" + i + "-"
                    + user + ">"), Instant.now().minus(Duration.ofHours(i)));
        }
        String credentials = CreatioRequests.exchangeMailbox(UUID.randomUUID(), exchange.ewsUrl(), user, "secret",
                creatio.bpmEndpoint(), List.of(), 0);
        long yesterday = DotNetTicks.of(Instant.now().minus(Duration.ofDays(1)));

        var response = api().post("/api/email/synchronize", "{\"Credentials\":" + credentials + ",\"Filters\":\""
                + yesterday + "\"}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> emailsFor(user).size() >= 3);
        assertThat(emailsFor(user)).extracting(email -> email.get("Subject").asString())
                .containsExactlyInAnyOrder("Old 1", "Old 2", "Old 3");
        assertThat(exchange.requests()).as("nothing subscribed").noneMatch(request -> request.equals("Subscribe " + user));
        assertDeliveredOnce(user, 3);
    }

    @Test
    void sendsThroughExchangeWithCreateItemAndTheComposedMime() throws Exception {
        String user = newUser("send");
        String credentials = CreatioRequests.exchangeMailbox(UUID.randomUUID(), exchange.ewsUrl(), user, "secret",
                creatio.bpmEndpoint(), List.of(), 0);
        String request = SendRequests.htmlEmail(user, "Sent via EWS", "dave@example.com", "erin@example.com",
                credentials);

        var response = api().post("/apiv2/email/send", request);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
        assertThat(exchange.sentMime(user)).hasSize(1);
        MimeMessage sent = SendRequests.parse(exchange.sentMime(user).getFirst());
        assertThat(sent.getSubject()).isEqualTo("Sent via EWS");
        assertThat(sent.getRecipients(Message.RecipientType.TO)).extracting(Object::toString)
                .containsExactly("dave@example.com");
        assertThat(sent.getHeader("Bcc")).isNull();
        assertThat(exchange.blindCopies(user).getFirst()).containsExactly("erin@example.com");
    }

    @Test
    void validatesCredentialsAndListsFoldersOfTheClassAsked() {
        String user = newUser("probe");
        String projects = exchange.addFolder(user, exchange.folderId(user, "inbox"), "Projects", "IPF.Note");
        String good = CreatioRequests.exchangeMailbox(UUID.randomUUID(), exchange.ewsUrl(), user, "secret",
                creatio.bpmEndpoint(), List.of(), 0);

        assertThat(api().post("/api/mailbox/validate", good).body()).contains("\"IsValid\":true");
        var wrong = api().post("/api/mailbox/validate", good.replace("Password:\"secret\"", "Password:\"nope\""));
        assertThat(wrong.body()).contains("\"IsValid\":false").contains("rejected the login");

        String mailFolders = api().post("/api/mailbox/folders", good.replace("FolderClassName:null",
                "FolderClassName:\"IPF.Note\"")).body();
        assertThat(mailFolders).contains("\"Id\":\"" + exchange.folderId(user, "inbox") + "\"")
                .contains("{\"Id\":\"" + projects + "\",\"Name\":\"Projects\",\"ParentId\":\""
                        + exchange.folderId(user, "inbox") + "\"}")
                .doesNotContain("Calendar");
        String calendars = api().post("/api/mailbox/folders", good.replace("FolderClassName:null",
                "FolderClassName:\"IPF.Appointment\"")).body();
        assertThat(calendars).contains("\"Id\":\"" + exchange.folderId(user, "calendar") + "\"");
    }

    private static String newUser(String name) {
        String user = name + "-" + UUID.randomUUID() + "@example.com";
        exchange.addUser(user, "secret");
        return user;
    }

    @Test
    void backsOffFromAServerThatDropsEveryStreamAtOnceAndCatchesUpWhenItStops() throws Exception {
        String user = newUser("flapping");
        subscribe(user, List.of(), 0);
        exchange.clearRequests();

        exchange.dropEveryStreamOf(user, true);
        exchange.dropStreams();
        Thread.sleep(5000);
        long reopened = exchange.requests().stream().filter(request -> request.equals("GetStreamingEvents " + user))
                .count();
        exchange.createMessage(user, exchange.folderId(user, "inbox"), mime(user, "After the flapping",
                "<flapping-" + user + ">"));
        exchange.dropEveryStreamOf(user, false);

        // Back-off from 200 ms doubling to 1 s (this class's settings): about 6 in 5 s, not hundreds.
        assertThat(reopened).isBetween(2L, 12L);
        awaitStreaming(user);
        assertThat(awaitEmailsFor(user, 1).getFirst().get("Subject").asString()).isEqualTo("After the flapping");
    }

    /**
     * Issue 14, finding 2: an EWS server is whatever address a caller registers, so its answers may
     * carry a DTD whose external subset and parameter entities point at an attacker's server and at a
     * local file. With one in every answer, streamed ones included, the listener reconnects again and
     * again and fetches nothing: it takes the documents for the failures they are (SOAP forbids a DTD
     * in a message), and once the server answers plain SOAP again mail arrives. ExternalEntitiesTest
     * feeds ews-java-api's own streaming reader directly.
     */
    @Test
    void anEwsServersDtdMakesTheListenerFetchNothing() throws Exception {
        AtomicInteger fetched = new AtomicInteger();
        HttpServer attacker = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        attacker.createContext("/", request -> {
            fetched.incrementAndGet();
            request.sendResponseHeaders(200, -1);
            request.close();
        });
        attacker.start();
        Path secret = Files.createTempFile("listener-secret-", ".txt");
        Files.writeString(secret, "the listener's encryption key");
        String base = "http://127.0.0.1:" + attacker.getAddress().getPort();
        String doctype = "<!DOCTYPE Envelope SYSTEM \"" + base + "/external.dtd\" [<!ENTITY % remote SYSTEM \""
                + base + "/param\"> %remote; <!ENTITY % local SYSTEM \"" + secret.toUri() + "\"> %local;]>";
        try {
            String user = newUser("xxe");
            subscribe(user, List.of(), 0);
            int before = exchange.requests().size();

            exchange.serveDoctype(doctype, false);
            exchange.dropStreams();
            // The stream is reopened and the catch-up's syncs read answers with the DTD, again and again.
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                List<String> since = exchange.requests().subList(before, exchange.requests().size());
                return since.contains("GetStreamingEvents " + user)
                        && since.stream().filter(request -> request.equals("SyncFolderItems " + user)).count() >= 3;
            });
            assertThat(fetched).hasValue(0);

            exchange.serveDoctype(null, false);
            awaitStreaming(user);
            exchange.createMessage(user, exchange.folderId(user, "inbox"), mime(user, "Plain SOAP again",
                    "<xxe-" + user + ">"));
            assertThat(awaitEmailsFor(user, 1).getFirst().get("Subject").asString()).isEqualTo("Plain SOAP again");
            assertThat(fetched).hasValue(0);
            assertThat(creatio.calls("ProcessFullEmail").toString()).doesNotContain("encryption key");
        } finally {
            exchange.serveDoctype(null, false);
            attacker.stop(0);
            Files.deleteIfExists(secret);
        }
    }

    /**
     * Issue 15: Exchange allows an account few streaming connections (three on premises; the fake
     * refuses a fourth with ErrorExceededConnectionCount). Broken again and again, the listener never
     * holds more than the one stream it needs, and a closed mailbox leaves no subscription behind.
     */
    @Test
    void reconnectsWithoutPilingUpStreamsAndUnsubscribesWhenClosed() throws Exception {
        String user = newUser("streams");
        UUID mailbox = subscribe(user, List.of(), 0);
        int refusedBefore = exchange.exceededConnectionCount();

        for (int drop = 0; drop < 4; drop++) {
            long streams = exchange.requests().stream().filter(r -> r.equals("GetStreamingEvents " + user)).count();
            exchange.dropStreams();
            await().atMost(Duration.ofSeconds(20)).until(() -> exchange.requests().stream()
                    .filter(r -> r.equals("GetStreamingEvents " + user)).count() > streams
                    && exchange.openStreams(user) == 1);
        }
        assertThat(exchange.exceededConnectionCount()).isEqualTo(refusedBefore);
        assertThat(exchange.subscriptions(user)).isEqualTo(1);

        assertThat(api().post("/api/listeners/close", CreatioRequests.ids(mailbox)).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> exchange.subscriptions(user) == 0
                && exchange.openStreams(user) == 0);
    }

    private UUID subscribe(String user, List<String> folderIds, int subscriptionTtl) {
        UUID mailbox = UUID.randomUUID();
        var response = api().post("/api/listeners/create", CreatioRequests.array(CreatioRequests.exchangeMailbox(
                mailbox, exchange.ewsUrl(), user, "secret", creatio.bpmEndpoint(), folderIds, subscriptionTtl)));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        awaitStreaming(user);
        return mailbox;
    }

    private static void awaitStreaming(String user) {
        await().atMost(Duration.ofSeconds(20)).until(() -> exchange.openStreams(user) > 0);
    }

    private static int streamsOpenedFor(String user) {
        return (int) exchange.requests().stream().filter(request -> request.equals("GetStreamingEvents " + user))
                .count();
    }
}
