package org.emaillistener.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.emaillistener.standalone.SubscriptionEndToEndTest.assertDeliveredOnce;
import static org.emaillistener.standalone.SubscriptionEndToEndTest.awaitEmailsFor;
import static org.emaillistener.standalone.SubscriptionEndToEndTest.emailsFor;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import org.emaillistener.common.creatio.CreatioJson;
import org.emaillistener.common.creatio.DotNetTicks;
import org.emaillistener.common.graph.GraphTls;
import org.emaillistener.common.testing.CreatioRequests;
import org.emaillistener.common.testing.FakeGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import jakarta.mail.Message;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import tools.jackson.databind.node.ObjectNode;

/**
 * Exchange Online mailboxes end to end through Microsoft Graph, polling: Creatio registers them in its
 * unquoted dialect as Exchange mailboxes on {@code outlook.office365.com} in a domain of a configured
 * tenant; the listener takes its own app-only token from the fake Entra, and messages created on the
 * fake Graph reach the Creatio stand-in once, through the folder's delta and each message's MIME.
 */
@SpringBootTest(classes = StandaloneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "listener.jobs.retry-initial-delay=200ms", "listener.jobs.retry-max-delay=1s",
                "listener.graph.poll-interval=500ms",
                // Only this test reaches the API; ApiBasePathEndToEndTest serves Graph behind a base path.
                "listener.api.allow-graph-without-base-path=true",
                // localhost too, so that only the tenant's creatio-hosts refuse it as a BpmEndpoint.
                "listener.callbacks.allowed-hosts=127.0.0.1,localhost" })
@Import(GraphEndToEndTest.TrustTheFake.class)
class GraphEndToEndTest extends EndToEndTest {

    static final String TENANT = "7d3c1a52-0000-4000-8000-00000000c0de";
    private static final String CLIENT = "listener-app";
    static final String DOMAIN = "contoso.example";
    static final String ONLINE_EWS = "https://outlook.office365.com/EWS/Exchange.asmx";

    static FakeGraph graph;

    @TestConfiguration
    static class TrustTheFake {
        @Bean
        GraphTls graphTls() {
            return new GraphTls(FakeGraph.trustingContext());
        }
    }

    @DynamicPropertySource
    static void pointAtTheFake(DynamicPropertyRegistry properties) throws Exception {
        graph = new FakeGraph();
        graph.addTenant(TENANT, CLIENT, "s3cret");
        properties.add("listener.graph.authority-host", graph::baseUrl);
        properties.add("listener.graph.graph-url", graph::graphUrl);
        properties.add("listener.graph.tenants[0].tenant-id", () -> TENANT);
        properties.add("listener.graph.tenants[0].client-id", () -> CLIENT);
        properties.add("listener.graph.tenants[0].client-secret", () -> "s3cret");
        properties.add("listener.graph.tenants[0].domains[0]", () -> DOMAIN);
        properties.add("listener.graph.tenants[0].creatio-hosts[0]", () -> "127.0.0.1");
    }

    @AfterAll
    static void stopGraph() {
        graph.close();
    }

    @Test
    void deliversEachMessageCreatedInTheInboxOnceThroughGraph() throws Exception {
        String user = newUser("inbox");
        subscribe(user);

        graph.createMessage(user, graph.folderId(user, "inbox"), mime(user, "Through Graph", "<g1-" + user + ">"));
        graph.createMessage(user, graph.folderId(user, "inbox"), mime(user, "Second", "<g2-" + user + ">"));

        var emails = awaitEmailsFor(user, 2);
        assertThat(emails).extracting(email -> email.get("MessageId").asString())
                .containsExactlyInAnyOrder("<g1-" + user + ">", "<g2-" + user + ">");
        assertThat(emails.getFirst().get("Sender").asString()).isEqualTo("Alice Example <alice@example.com>");
        assertDeliveredOnce(user, 2);
    }

    @Test
    void resynchronisesAnExpiredDeltaLinkWithoutDeliveringAgain() throws Exception {
        String user = newUser("gone");
        subscribe(user);
        graph.createMessage(user, graph.folderId(user, "inbox"), mime(user, "Before", "<before-" + user + ">"));
        awaitEmailsFor(user, 1);

        graph.expireDeltaTokens();
        graph.createMessage(user, graph.folderId(user, "inbox"), mime(user, "After", "<after-" + user + ">"));

        awaitEmailsFor(user, 2);
        assertDeliveredOnce(user, 2);
    }

    /**
     * Issue 15: Graph keeps only the newest few delta tokens of a folder (FakeGraph cites the source)
     * and every poll of a folder after any change in the tenant is answered with a new one. The
     * listener keeps each folder on the newest, so none it holds is ever refused, and new mail still
     * arrives once.
     */
    @Test
    void keepsEachFolderOnItsNewestDeltaLinkSoGraphNeverEvictsIt() throws Exception {
        String user = newUser("newest");
        subscribe(user);
        String busy = newUser("busy");
        for (int round = 0; round < FakeGraph.DELTA_TOKENS_KEPT + 3; round++) {
            graph.createMessage(busy, graph.folderId(busy, "inbox"), mime(busy, "Busy " + round,
                    "<busy-" + round + "-" + busy + ">"));
            if (polls()) {
                long reads = deltaReadsOf(user);
                await().atMost(Duration.ofSeconds(10)).until(() -> deltaReadsOf(user) > reads);
            }
        }

        graph.createMessage(user, graph.folderId(user, "inbox"), mime(user, "Still current", "<current-" + user + ">"));

        assertThat(awaitEmailsFor(user, 1).getFirst().get("Subject").asString()).isEqualTo("Still current");
        assertDeliveredOnce(user, 1);
        assertThat(graph.refusedDeltaTokens(user)).isZero();
    }

    /** Whether the folders are polled here (with change notifications they are read only when told). */
    boolean polls() {
        return true;
    }

    private static long deltaReadsOf(String user) {
        return graph.requests().stream().filter(request -> request.contains("/delta")
                && (request.contains(user) || request.contains(graph.userId(user)))).count();
    }

    @Test
    void doesNotDeliverMailReceivedBeforeTheRegistration() throws Exception {
        String user = newUser("old");
        graph.createMessage(user, graph.folderId(user, "inbox"), mime(user, "Old", "<old-" + user + ">"),
                java.time.Instant.now().minus(Duration.ofHours(1)));
        subscribe(user);
        graph.createMessage(user, graph.folderId(user, "inbox"), mime(user, "New", "<new-" + user + ">"));

        awaitEmailsFor(user, 1);
        assertDeliveredOnce(user, 1);
        assertThat(SubscriptionEndToEndTest.emailsFor(user)).extracting(email -> email.get("Subject").asString())
                .containsExactly("New");
    }

    @Test
    void sendsThroughGraphWithTheComposedMimeAndTheBlindCopiesInIt() throws Exception {
        String user = newUser("send");
        String credentials = signedIn(user);
        String request = SendRequests.htmlEmail(user, "Sent via Graph", "dave@example.com", "erin@example.com",
                credentials);

        var response = api().post("/apiv2/email/send", request);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
        assertThat(graph.sentMime(user)).hasSize(1);
        MimeMessage sent = SendRequests.parse(graph.sentMime(user).getFirst());
        assertThat(sent.getSubject()).isEqualTo("Sent via Graph");
        assertThat(sent.getRecipients(Message.RecipientType.TO)).extracting(Object::toString)
                .containsExactly("dave@example.com");
        assertThat(sent.getRecipients(Message.RecipientType.BCC)).extracting(Object::toString)
                .containsExactly("erin@example.com");
    }

    @Test
    void sendsAttachmentsAndInlineImagesThroughGraphInTheComposedMime() throws Exception {
        String user = newUser("attach");
        ObjectNode email = SendRequests.email(user, "dave@example.com", "With a logo and a report");
        email.put("IsHtmlBody", true);
        email.put("Body", "<p>Our logo:</p><img src=\"cid:logo@crm.example.com\">");
        SendRequests.addAttachment(email, "logo@crm.example.com", "logo.png",
                Base64.getEncoder().encodeToString("png bytes".getBytes(StandardCharsets.US_ASCII)), true);
        SendRequests.addAttachment(email, "", "report.pdf",
                Base64.getEncoder().encodeToString("%PDF-1.4 report".getBytes(StandardCharsets.US_ASCII)), false);
        ObjectNode credentials = (ObjectNode) CreatioJson.mapper().readTree(signedIn(user));

        var response = api().post("/apiv2/email/send", SendRequests.body(email, credentials));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
        MimeMessage sent = SendRequests.parse(graph.sentMime(user).getFirst());
        MimeMultipart mixed = (MimeMultipart) sent.getContent();
        MimeMultipart related = (MimeMultipart) mixed.getBodyPart(0).getContent();
        assertThat(((MimeBodyPart) related.getBodyPart(1)).getContentID()).isEqualTo("<logo@crm.example.com>");
        assertThat(related.getBodyPart(1).getInputStream().readAllBytes()).asString(StandardCharsets.US_ASCII)
                .isEqualTo("png bytes");
        assertThat(mixed.getBodyPart(1).getFileName()).isEqualTo("report.pdf");
        assertThat(mixed.getBodyPart(1).getInputStream().readAllBytes()).asString(StandardCharsets.US_ASCII)
                .isEqualTo("%PDF-1.4 report");
    }

    /**
     * Issue 15: Graph takes about 4 MB in one request; Creatio's send of a larger email goes out through
     * a draft with its file uploaded apart, and the recipients get it whole.
     */
    @Test
    void sendsAnEmailLargerThanOneGraphRequestThroughADraftWithItsFileUploadedApart() throws Exception {
        String user = newUser("large");
        byte[] report = new byte[5_500_000];
        new java.util.Random(11).nextBytes(report);
        ObjectNode email = SendRequests.email(user, "dave@example.com", "The large report");
        SendRequests.addAttachment(email, "", "report.bin", Base64.getEncoder().encodeToString(report), false);
        ObjectNode credentials = (ObjectNode) CreatioJson.mapper().readTree(signedIn(user));
        int before = graph.requests().size();

        var response = api().post("/apiv2/email/send", SendRequests.body(email, credentials));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        MimeMessage sent = SendRequests.parse(graph.sentMime(user).getFirst());
        assertThat(sent.getSubject()).isEqualTo("The large report");
        MimeMultipart mixed = (MimeMultipart) sent.getContent();
        MimeBodyPart file = null;
        for (int i = 0; i < mixed.getCount(); i++) {
            if ("report.bin".equals(mixed.getBodyPart(i).getFileName())) {
                file = (MimeBodyPart) mixed.getBodyPart(i);
            }
        }
        assertThat(file).isNotNull();
        assertThat(file.getInputStream().readAllBytes()).isEqualTo(report);
        List<String> calls = graph.requests().subList(before, graph.requests().size());
        assertThat(calls).noneMatch(call -> call.endsWith("/sendMail"))
                .anyMatch(call -> call.endsWith("/createUploadSession")).anyMatch(call -> call.endsWith("/send"));
        assertThat(graph.openDrafts(user)).isZero();
    }

    @Test
    void aSendGraphRefusesIsAnsweredWithTheReasonAsText() {
        String user = "nobody-" + UUID.randomUUID() + "@" + DOMAIN;
        String credentials = signedIn(user);
        String request = "{\"Email\":{\"Subject\":\"Nowhere\",\"Body\":\"Hi\",\"IsHtmlBody\":false,"
                + "\"Sender\":\"" + user + "\",\"Recepients\":[\"dave@example.com\"],\"CopyRecepients\":[],"
                + "\"BlindCopyRecepients\":[],\"Importance\":1,\"Attachments\":[],"
                + "\"Headers\":[]},\"Attachments\":null,\"Credentials\":" + credentials + "}";

        var response = api().post("/apiv2/email/send", request);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).startsWith("The email was not sent: Microsoft Graph");
    }

    @Test
    void validatesAGraphMailboxByReadingItsInbox() {
        String user = newUser("valid");
        String good = signedIn(user);

        assertThat(api().post("/api/mailbox/validate", good).body()).contains("\"IsValid\":true");
        assertThat(graph.requests()).anyMatch(request -> request.contains("/mailFolders/inbox")
                && (request.contains(user) || request.contains(graph.userId(user))));

        String unknown = "nobody-" + UUID.randomUUID() + "@" + DOMAIN;
        var wrong = api().post("/api/mailbox/validate", signedIn(unknown));
        assertThat(wrong.statusCode()).isEqualTo(200);
        assertThat(wrong.body()).contains("\"IsValid\":false").contains("Microsoft Graph");
    }

    @Test
    void listsAGraphMailboxsMailFoldersAsCreatiosTree() {
        String user = newUser("folders");
        String inbox = graph.folderId(user, "inbox");
        String projects = graph.addFolder(user, inbox, "Projects");
        String archive2025 = graph.addFolder(user, projects, "2025");
        String mailbox = signedIn(user);

        var response = api().post("/api/mailbox/folders", mailbox);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String folders = response.body();
        assertThat(folders).contains("{\"Id\":\"" + inbox + "\",\"Name\":\"Inbox\",\"ParentId\":null}")
                .contains("{\"Id\":\"" + projects + "\",\"Name\":\"Projects\",\"ParentId\":\"" + inbox + "\"}")
                .contains("{\"Id\":\"" + archive2025 + "\",\"Name\":\"2025\",\"ParentId\":\"" + projects + "\"}")
                .doesNotContain(graph.folderId(user, "msgfolderroot"));
        assertThat(folders.indexOf(inbox)).isLessThan(folders.indexOf(projects));
        assertThat(folders.indexOf(projects)).isLessThan(folders.indexOf(archive2025));

        String calendars = api().post("/api/mailbox/folders",
                mailbox.replace("FolderClassName:null", "FolderClassName:\"IPF.Appointment\"")).body();
        assertThat(calendars).isEqualTo("[]");
    }

    @Test
    void importsHistoryFromTheLoadFromDateInDotNetTicksThroughGraph() throws Exception {
        String user = newUser("history");
        String inbox = graph.folderId(user, "inbox");
        Instant now = Instant.now();
        graph.createMessage(user, inbox, mime(user, "Too old", "<too-old-" + user + ">"),
                now.minus(Duration.ofDays(2)));
        graph.createMessage(user, inbox, mime(user, "Old", "<old-" + user + ">"), now.minus(Duration.ofHours(2)));
        graph.createMessage(user, graph.addFolder(user, inbox, "Projects"),
                mime(user, "Filed", "<filed-" + user + ">"), now.minus(Duration.ofHours(1)));
        graph.createMessage(user, graph.folderId(user, "junkemail"), mime(user, "Junk", "<junk-" + user + ">"),
                now.minus(Duration.ofHours(1)));
        UUID mailbox = subscribe(user);
        graph.createMessage(user, inbox, mime(user, "New", "<new-" + user + ">"));
        awaitEmailsFor(user, 1);
        assertThat(emailsFor(user)).extracting(email -> email.get("Subject").asString()).containsExactly("New");

        var response = synchronize(mailbox, Long.toString(DotNetTicks.of(now.minus(Duration.ofDays(1)))));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        awaitEmailsFor(user, 3);
        assertDeliveredOnce(user, 3);
        assertThat(emailsFor(user)).extracting(email -> email.get("Subject").asString())
                .containsExactlyInAnyOrder("New", "Old", "Filed");
    }

    @Test
    void importsHistoryWhereMoreMessagesShareOneSecondThanAJobLists() throws Exception {
        // A job lists 2 x listener.sync.max-messages-per-job (100) messages by receive time; a migrated
        // mailbox may hold more than that in one second, which no page by receive time gets past.
        String user = newUser("same-second");
        String inbox = graph.folderId(user, "inbox");
        Instant second = Instant.now().minus(Duration.ofHours(3)).truncatedTo(ChronoUnit.SECONDS);
        int count = 230;
        for (int i = 0; i < count; i++) {
            graph.createMessage(user, inbox, mime(user, "Same second " + i, "<same-" + i + "-" + user + ">"), second);
        }
        UUID mailbox = subscribe(user);

        var response = synchronize(mailbox, Long.toString(DotNetTicks.of(second.minus(Duration.ofDays(1)))));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> emailsFor(user).size() >= count);
        assertDeliveredOnce(user, count);
    }

    @Test
    void refusesALoadFromDateThatIsNotDotNetTicks() {
        UUID mailbox = subscribe(newUser("history-filter"));

        var response = synchronize(mailbox, "UNDRAFT UNDELETED SINCE 01-Nov-2023");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains(".NET ticks");
    }

    @Test
    void categorisesDeliveredMessagesWhenCreatioAsksForIt() throws Exception {
        String user = newUser("mark");
        subscribe(user, true);

        String message = graph.createMessage(user, graph.folderId(user, "inbox"),
                mime(user, "Categorise me", "<cat-" + user + ">"));

        awaitEmailsFor(user, 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> graph.categories(user, message).contains("Creatio"));

        // The category is a change the delta reports with the next mail: known delivered, not downloaded again.
        graph.createMessage(user, graph.folderId(user, "inbox"), mime(user, "Next", "<cat2-" + user + ">"));
        awaitEmailsFor(user, 2);
        assertDeliveredOnce(user, 2);
        assertThat(graph.requests()).filteredOn(request -> request.endsWith("/messages/" + message + "/$value"))
                .hasSize(1);
    }

    @Test
    void categorisesMailLoadedFromHistoryKeepingTheCategoriesItHad() throws Exception {
        String user = newUser("history-mark");
        String old = graph.createMessage(user, graph.folderId(user, "inbox"), mime(user, "Old", "<old-" + user + ">"),
                Instant.now().minus(Duration.ofHours(2)));
        graph.setCategories(user, old, List.of("Red category"));
        UUID mailbox = subscribe(user, true);

        var response = synchronize(mailbox, Long.toString(DotNetTicks.of(Instant.now().minus(Duration.ofDays(1)))));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        awaitEmailsFor(user, 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> graph.categories(user, old).size() == 2);
        assertThat(graph.categories(user, old)).containsExactly("Red category", "Creatio");
        assertDeliveredOnce(user, 1);
    }

    @Test
    void reportsAMailboxGraphRefusesToCreatioAndStopsTrying() {
        String user = "nobody-" + UUID.randomUUID() + "@" + DOMAIN;
        UUID mailbox = UUID.randomUUID();
        // Signed in (the user was deleted since): Creatio's token is not what Graph refused, so Creatio is
        // not asked for a fresh one.
        var created = api().post("/api/listeners/create", CreatioRequests.array(
                signedIn(mailbox, user, List.of())));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(20)).until(() -> creatio.calls("ProcessMailboxState").stream()
                .anyMatch(call -> call.body().get("MailboxId").asString().equals(mailbox.toString())));
        var report = creatio.calls("ProcessMailboxState").stream().map(call -> call.body())
                .filter(body -> body.get("MailboxId").asString().equals(mailbox.toString())).findFirst().orElseThrow();
        assertThat(report.get("Avaliable").asBoolean()).isFalse();
        assertThat(report.get("ExceptionClassName").asString()).endsWith("AuthenticationException");
        assertThat(report.get("ExceptionMessage").asString()).contains("Microsoft Graph refused access");
        assertThat(api().stateOf(mailbox.toString())).isEqualTo("closed");
        assertThat(creatio.calls("RefreshToken")).noneMatch(call -> call.body().toString().contains(user));
    }

    // --- a stranger who can reach the API, against another user of the tenant (issue 14, finding 1) ---

    @Test
    void aStrangerCannotSendAsAnotherUserOfTheTenant() {
        String ceo = newUser("ceo");
        String mallory = newUser("mallory");
        String noToken = CreatioRequests.exchangeMailbox(UUID.randomUUID(), ONLINE_EWS, ceo, null,
                creatio.bpmEndpoint(), List.of(), 0);
        String mallorysToken = CreatioRequests.withOAuth(noToken, graph.signIn(TENANT, mallory));

        for (String credentials : List.of(noToken, mallorysToken)) {
            var response = api().post("/apiv2/email/send",
                    SendRequests.htmlEmail(ceo, "Wire the money", "bank@example.com", "erin@example.com", credentials));
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).startsWith("The email was not sent: ");
        }
        assertThat(graph.sentMime(ceo)).isEmpty();
        assertThat(graph.requests()).noneMatch(request -> request.contains("sendMail")
                && (request.contains(ceo) || request.contains(graph.userId(ceo))));
    }

    @Test
    void aStrangerCannotValidateOrListAnotherUsersMailboxWithAPasswordOrTheirOwnSignIn() {
        String ceo = newUser("ceo-folders");
        String password = CreatioRequests.exchangeMailbox(UUID.randomUUID(), ONLINE_EWS, ceo, "guessed",
                creatio.bpmEndpoint(), List.of(), 0);
        String mallorysToken = CreatioRequests.withOAuth(password.replace("Password:\"guessed\"", "Password:null"),
                graph.signIn(TENANT, newUser("mallory-folders")));

        var validated = api().post("/api/mailbox/validate", password);
        assertThat(validated.body()).contains("\"IsValid\":false").contains("Microsoft 365 sign-in (OAuth)");
        var folders = api().post("/api/mailbox/folders", mallorysToken);
        assertThat(folders.statusCode()).isEqualTo(422);
        assertThat(folders.body()).contains("AccessToken was issued to another user than " + ceo);
        assertThat(graph.requests()).noneMatch(request -> request.contains(ceo) || request.contains(graph.userId(ceo)));
    }

    @Test
    void aStrangerCannotWatchAnotherUsersMailNorSendATenantsMailToAnotherCreatio() {
        String ceo = newUser("ceo-watch");
        UUID mailbox = UUID.randomUUID();
        String mallorysToken = CreatioRequests.withOAuth(CreatioRequests.exchangeMailbox(mailbox, ONLINE_EWS, ceo,
                null, creatio.bpmEndpoint(), List.of(), 0), graph.signIn(TENANT, newUser("mallory-watch")));
        // The CEO's own sign-in, replayed with a BpmEndpoint the callback allow-list has but the tenant does not name.
        String elsewhere = signedIn(mailbox, ceo, List.of()).replace("http://127.0.0.1:", "http://localhost:");

        var withOwnToken = api().post("/api/listeners/create", CreatioRequests.array(mallorysToken));
        var toElsewhere = api().post("/api/listeners/create", CreatioRequests.array(elsewhere));

        assertThat(withOwnToken.statusCode()).isEqualTo(403);
        assertThat(withOwnToken.body()).contains("AccessToken was issued to another user than " + ceo);
        assertThat(toElsewhere.statusCode()).isEqualTo(403);
        assertThat(toElsewhere.body()).contains("BpmEndpoint's host localhost is not a Creatio host named for");
        assertThat(api().stateOf(mailbox.toString())).isEqualTo("closed");
        assertThat(graph.requests()).noneMatch(request -> request.contains(ceo) || request.contains(graph.userId(ceo)));
    }

    static String newUser(String name) {
        String user = name + "-" + UUID.randomUUID() + "@" + DOMAIN;
        graph.addUser(TENANT, user);
        return user;
    }

    /** The mailbox as Creatio sends it after its user signed in to Microsoft 365 (UseOAuth, AccessToken). */
    static String signedIn(String user) {
        return signedIn(UUID.randomUUID(), user, List.of());
    }

    static String signedIn(UUID mailbox, String user, List<String> folderIds) {
        return CreatioRequests.withOAuth(CreatioRequests.exchangeMailbox(mailbox, ONLINE_EWS, user, null,
                creatio.bpmEndpoint(), folderIds, 0), graph.signIn(TENANT, user));
    }

    UUID subscribe(String user) {
        return subscribe(user, List.of(), false);
    }

    UUID subscribe(String user, List<String> folderIds) {
        return subscribe(user, folderIds, false);
    }

    UUID subscribe(String user, boolean marksEmailsAsSynchronized) {
        return subscribe(user, List.of(), marksEmailsAsSynchronized);
    }

    /** Registers the Graph user's mailbox as Creatio does, and waits until it listens. */
    UUID subscribe(String user, List<String> folderIds, boolean marksEmailsAsSynchronized) {
        UUID mailbox = UUID.randomUUID();
        String credentials = signedIn(mailbox, user, folderIds).replace("MarkEmailsAsSynchronized:false",
                        "MarkEmailsAsSynchronized:" + marksEmailsAsSynchronized);
        var response = api().post("/api/listeners/create", CreatioRequests.array(credentials));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        // Listening: the catch-up's first delta round has been read, so later mail is new mail.
        await().atMost(Duration.ofSeconds(20)).until(() -> graph.requests().stream()
                .anyMatch(request -> (request.contains(user) || request.contains(graph.userId(user)))
                        && request.contains("/delta")));
        return mailbox;
    }

    @Test
    void watchesTheFoldersCreatioPickedByTheirEwsIdsThroughTheirGraphIds() throws Exception {
        String user = newUser("picked");
        String inbox = graph.folderId(user, "inbox");
        String projects = graph.addFolder(user, inbox, "Projects");
        String invoices = graph.addFolder(user, inbox, "Invoices");
        String unpicked = graph.addFolder(user, inbox, "Unpicked");
        String ewsInbox = graph.ewsFolderId(user, inbox);
        subscribe(user, List.of(ewsInbox, graph.ewsFolderId(user, projects), invoices));

        graph.createMessage(user, inbox, mime(user, "In the Inbox", "<inbox-" + user + ">"));
        graph.createMessage(user, projects, mime(user, "In Projects", "<projects-" + user + ">"));
        graph.createMessage(user, invoices, mime(user, "In Invoices", "<invoices-" + user + ">"));
        graph.createMessage(user, unpicked, mime(user, "Not picked", "<unpicked-" + user + ">"));

        var emails = awaitEmailsFor(user, 3);
        assertThat(emails).extracting(email -> email.get("MessageId").asString()).containsExactlyInAnyOrder(
                "<inbox-" + user + ">", "<projects-" + user + ">", "<invoices-" + user + ">");
        assertDeliveredOnce(user, 3);
        List<String> requests = graph.requests().stream()
                .filter(request -> request.contains(user) || request.contains(graph.userId(user))).toList();
        assertThat(requests).filteredOn(request -> request.endsWith("/translateExchangeIds")).isNotEmpty();
        assertThat(requests).filteredOn(request -> request.contains("/delta")).isNotEmpty()
                .noneMatch(request -> request.contains(ewsInbox));
    }

    /** Creatio's history request: {@code Filters} for an Exchange mailbox is the load-from date in .NET ticks. */
    private HttpResponse<String> synchronize(UUID mailbox, String filters) {
        return api().post("/api/email/synchronize", "{\"Credentials\":{\"Id\":\"" + mailbox + "\"},\"Filters\":\""
                + filters + "\"}");
    }
}