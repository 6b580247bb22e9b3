package org.emaillistener.common.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

import org.emaillistener.common.creatio.CreatioJson;
import org.emaillistener.common.creatio.SynchronizationCredentials;
import org.emaillistener.common.graph.GraphMailbox.NotificationSubscription;
import org.emaillistener.common.testing.CreatioRequests;
import org.emaillistener.common.testing.FakeGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import com.sun.net.httpserver.HttpServer;

import jakarta.mail.Message.RecipientType;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;

/**
 * The listener's Graph client against the fake Graph: listing a folder's messages by receive time, and
 * the calls a watcher makes for many folders at once in one {@code $batch}, throttling included.
 */
class GraphMailboxTest {

    private static final String TENANT = "3f0c9a52-0000-4000-8000-00000000beef";
    private static final String DOMAIN = "contoso.example";
    private static final Instant FROM = Instant.parse("2023-12-01T00:00:00Z");
    private static final Instant UNTIL = Instant.parse("2023-12-02T00:00:00Z");

    static FakeGraph graph;
    static GraphConnector connector;

    @BeforeAll
    static void start() throws Exception {
        graph = new FakeGraph();
        graph.addTenant(TENANT, "listener-app", "s3cret");
        GraphProperties properties = new Binder(new MapConfigurationPropertySource(Map.of(
                "listener.graph.authority-host", graph.baseUrl(),
                "listener.graph.graph-url", graph.graphUrl(),
                "listener.graph.tenants[0].tenant-id", TENANT,
                "listener.graph.tenants[0].client-id", "listener-app",
                "listener.graph.tenants[0].client-secret", "s3cret",
                "listener.graph.tenants[0].domains[0]", DOMAIN)))
                .bindOrCreate("listener.graph", GraphProperties.class);
        connector = new GraphConnector(properties, new GraphTls(FakeGraph.trustingContext()));
    }

    @AfterAll
    static void stop() {
        graph.close();
    }

    @Test
    void listsTheMessagesReceivedInTheWindowOldestFirst() throws Exception {
        String user = newUser();
        String inbox = graph.folderId(user, "inbox");
        graph.createMessage(user, inbox, mime("before"), FROM.minusSeconds(1));
        String second = graph.createMessage(user, inbox, mime("second"), FROM.plusSeconds(60));
        String first = graph.createMessage(user, inbox, mime("first"), FROM);
        graph.createMessage(user, inbox, mime("at the end"), UNTIL);
        graph.createMessage(user, graph.folderId(user, "sentitems"), mime("elsewhere"), FROM.plusSeconds(60));

        GraphMailbox.ReceivedPage page = mailbox(user).received(inbox, FROM, UNTIL, 10);

        assertThat(page.messages()).containsExactly(new GraphMailbox.MessageRef(first, FROM, null),
                new GraphMailbox.MessageRef(second, FROM.plusSeconds(60), null));
        assertThat(page.more()).isFalse();
    }

    @Test
    void keepsBoundsBetweenSecondsExactThoughGraphKeepsReceiveTimesToTheSecond() throws Exception {
        String user = newUser();
        String inbox = graph.folderId(user, "inbox");
        graph.createMessage(user, inbox, mime("half a second too early"), FROM);
        String first = graph.createMessage(user, inbox, mime("first"), FROM.plusSeconds(1));
        String last = graph.createMessage(user, inbox, mime("last"), UNTIL);
        graph.createMessage(user, inbox, mime("half a second too late"), UNTIL.plusSeconds(1));

        GraphMailbox.ReceivedPage page = mailbox(user).received(inbox, FROM.plusMillis(500), UNTIL.plusMillis(500),
                10);

        assertThat(page.messages()).extracting(GraphMailbox.MessageRef::id).containsExactly(first, last);
    }

    @Test
    void stopsAtTheMostAskedForAndSaysMoreWait() throws Exception {
        String user = newUser();
        String inbox = graph.folderId(user, "inbox");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(graph.createMessage(user, inbox, mime("m" + i), FROM.plusSeconds(i)));
        }

        GraphMailbox.ReceivedPage first = mailbox(user).received(inbox, FROM, UNTIL, 3);
        GraphMailbox.ReceivedPage all = mailbox(user).received(inbox, FROM, UNTIL, 5);

        assertThat(first.messages()).extracting(GraphMailbox.MessageRef::id)
                .containsExactlyElementsOf(ids.subList(0, 3));
        assertThat(first.more()).isTrue();
        assertThat(all.messages()).extracting(GraphMailbox.MessageRef::id).containsExactlyElementsOf(ids);
        assertThat(all.more()).isFalse();
    }

    @Test
    void followsGraphsNextLinksBeyondAThousandMessages() throws Exception {
        String user = newUser();
        String inbox = graph.folderId(user, "inbox");
        for (int i = 0; i < 1_005; i++) {
            graph.createMessage(user, inbox, mime("m" + i), FROM.plusSeconds(i));
        }

        GraphMailbox.ReceivedPage page = mailbox(user).received(inbox, FROM, UNTIL, 2_000);

        assertThat(page.messages()).hasSize(1_005);
        assertThat(page.messages().getLast().receivedAt()).isEqualTo(FROM.plusSeconds(1_004));
        assertThat(page.more()).isFalse();
        assertThat(graph.requests()).filteredOn(request -> (request.contains(user)
                || request.contains(graph.userId(user))) && request.contains("/messages")).hasSize(2);
    }

    @Test
    void readsWellKnownFolderIdsInOneBatchLeavingOutThoseTheMailboxLacks() throws Exception {
        String user = newUser();
        int before = graph.requests().size();

        Map<String, String> ids = mailbox(user).folderIds(List.of("inbox", "drafts", "nosuchfolder"));

        assertThat(ids).containsExactly(Map.entry("inbox", graph.folderId(user, "inbox")),
                Map.entry("drafts", graph.folderId(user, "drafts")));
        assertThat(graph.requests().subList(before, graph.requests().size())).filteredOn(r -> !r.contains("/token"))
                .first().isEqualTo("POST /v1.0/$batch");
    }

    @Test
    void tellsWhichFoldersChangedAfterTheirDeltaLinksWaitingOutAThrottledMember() throws Exception {
        String user = newUser();
        GraphMailbox mailbox = mailbox(user);
        String inbox = graph.folderId(user, "inbox");
        String archive = graph.folderId(user, "archive");
        Map<String, String> links = Map.of("inbox", deltaLink(mailbox, inbox), "archive", deltaLink(mailbox, archive));
        assertThat(mailbox.changedSince(links).changed()).isEmpty();

        graph.createMessage(user, archive, mime("archived"));
        graph.throttleNext("/delta", 429, Duration.ofSeconds(1));

        assertThat(mailbox.changedSince(links).changed()).containsExactly("archive");
        graph.expireDeltaTokens();
        assertThat(mailbox.changedSince(links).changed()).containsExactlyInAnyOrder("inbox", "archive");
    }

    /**
     * Issue 15: Outlook takes 4 concurrent requests per app per mailbox, a $batch's members each
     * counting (FakeGraph refuses more with 429 MailboxConcurrency). Ten folders' deltas in batches and
     * sixteen downloads at once from one mailbox: every one answered, none refused.
     */
    @Test
    void keepsToFourConcurrentRequestsPerMailbox() throws Exception {
        String user = newUser();
        GraphMailbox mailbox = mailbox(user);
        String inbox = graph.folderId(user, "inbox");
        Map<String, String> links = new HashMap<>();
        for (int i = 0; i < 10; i++) {
            String folder = graph.addFolder(user, inbox, "Folder " + i);
            links.put(folder, deltaLink(mailbox, folder));
        }
        List<String> messages = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            messages.add(graph.createMessage(user, inbox, mime("concurrent " + i)));
        }
        long refusedBefore = graph.concurrencyRefusals();

        assertThat(mailbox.changedSince(links).changed()).isEmpty();
        try (ExecutorService downloads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<Integer>> sizes = new ArrayList<>();
            for (String message : messages) {
                sizes.add(downloads.submit(() -> {
                    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                    mailbox(user).mime(message, out);
                    return out.size();
                }));
            }
            for (var size : sizes) {
                assertThat(size.get()).isPositive();
            }
        }

        assertThat(graph.concurrencyRefusals()).isEqualTo(refusedBefore);
    }

    /**
     * Issue 15: Graph caps Outlook message subscriptions at 4,230 minutes (FakeGraph cites the source);
     * asked for the old default of 3 days, the listener asks for no more than the cap, and where Graph
     * names a lower one it asks again at that, renewing at half of what was granted.
     */
    @Test
    void asksForASubscriptionNoLongerThanGraphAllowsAndRenewsAtHalfOfWhatItGranted() throws Exception {
        String user = newUser();
        HttpServer notifications = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        notifications.createContext("/", exchange -> {
            String token = URLDecoder.decode(exchange.getRequestURI().getRawQuery()
                    .replaceFirst("^.*validationToken=", ""), StandardCharsets.UTF_8);
            byte[] body = token.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        notifications.start();
        String url = "http://127.0.0.1:" + notifications.getAddress().getPort() + "/graph/notifications";
        GraphMailbox mailbox = mailbox(user);
        String inbox = graph.folderId(user, "inbox");
        try {
            Instant asked = Instant.now();
            NotificationSubscription capped = mailbox.subscribe(inbox, url, "state", asked.plus(Duration.ofDays(3)));
            assertThat(Duration.between(asked, capped.expires()))
                    .isLessThanOrEqualTo(GraphMailbox.MAX_SUBSCRIPTION_LIFETIME)
                    .isGreaterThan(GraphMailbox.MAX_SUBSCRIPTION_LIFETIME.minusMinutes(1));

            graph.capSubscriptionsAt(Duration.ofDays(1));
            Instant renewed = Instant.now();
            NotificationSubscription lower = mailbox.renew(capped.id(), renewed.plus(Duration.ofDays(2)));
            assertThat(Duration.between(renewed, lower.expires())).isBetween(Duration.ofMinutes(1438),
                    Duration.ofMinutes(1440));
            assertThat(Duration.between(renewed, lower.renewAt())).isBetween(Duration.ofMinutes(719),
                    Duration.ofMinutes(720));
            assertThat(graph.subscriptionExpiry(capped.id())).isCloseTo(lower.expires(), within(1, ChronoUnit.SECONDS));
        } finally {
            graph.capSubscriptionsAt(FakeGraph.MAX_MESSAGE_SUBSCRIPTION);
            notifications.stop(0);
        }
    }

    @Test
    void mailLargerThanOneRequestGoesAsADraftWithItsFilesAttachedApartAndArrivesWhole() throws Exception {
        String user = newUser();
        byte[] image = bytes(200_000, 1);
        byte[] document = bytes(2_000_000, 2);
        byte[] archive = bytes(9_000_000, 3);
        byte[] mime = largeMessage(image, document, archive);
        assertThat(Base64.getMimeEncoder().encode(mime).length).isGreaterThan(FakeGraph.REQUEST_LIMIT);
        int requestsBefore = graph.requests().size();

        mailbox(user).sendMime(mime);

        MimeMessage sent = parse(graph.sentMime(user).getFirst());
        assertThat(sent.getMessageID()).isEqualTo("<large-1@contoso.example>");
        assertThat(sent.getSubject()).isEqualTo("Quarterly figures");
        assertThat(sent.getHeader("Bcc", ",")).contains("audit@contoso.example");
        Map<String, byte[]> files = attachments(sent);
        assertThat(files).containsOnlyKeys("logo.png", "report.pdf", "archive.zip");
        assertThat(files.get("logo.png")).isEqualTo(image);
        assertThat(files.get("report.pdf")).isEqualTo(document);
        assertThat(files.get("archive.zip")).isEqualTo(archive);
        assertThat(new String(sent.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .contains("See the figures").contains("cid:logo@contoso.example");
        List<String> calls = graph.requests().subList(requestsBefore, graph.requests().size());
        assertThat(calls).noneMatch(call -> call.endsWith("/sendMail"));
        assertThat(calls).filteredOn(call -> call.endsWith("/createUploadSession")).hasSize(1);
        assertThat(calls).filteredOn(call -> call.startsWith("PUT /upload/")).hasSize(3);
        assertThat(calls).filteredOn(call -> call.startsWith("POST") && call.endsWith("/attachments")).hasSize(2);
        assertThat(calls.getLast()).endsWith("/send");
        assertThat(graph.openDrafts(user)).isZero();
        assertThat(graph.messageIds(user, graph.folderId(user, "sentitems"))).hasSize(1);
    }

    @Test
    void aLargeMessageThatCannotBeCompletedLeavesNoDraftBehind() throws Exception {
        String user = newUser();
        byte[] mime = largeMessage(bytes(100, 1), bytes(100, 2), bytes(6_000_000, 3));
        graph.throttleNext("createUploadSession", 503, Duration.ofHours(1));

        assertThatThrownBy(() -> mailbox(user).sendMime(mime)).isInstanceOf(GraphException.class)
                .hasMessageContaining("503");

        assertThat(graph.openDrafts(user)).isZero();
        assertThat(graph.sentMime(user)).isEmpty();
    }

    @Test
    void aMailboxOverItsRequestBudgetWaitsOutRetryAfterWhileOtherMailboxesGoOn() throws Exception {
        String busy = newUser();
        String other = newUser();
        GraphMailbox busyMailbox = mailbox(busy);
        GraphMailbox otherMailbox = mailbox(other);
        graph.mailboxBudget(4, Duration.ofSeconds(2));
        try {
            for (int i = 0; i < 4; i++) {
                busyMailbox.wellKnownFolderId("inbox");
            }
            long refusedBefore = graph.budgetRefusals();
            Instant start = Instant.now();
            try (ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor()) {
                var waited = calls.submit(() -> busyMailbox.wellKnownFolderId("inbox"));
                Thread.sleep(200);
                Instant otherStart = Instant.now();
                otherMailbox.wellKnownFolderId("inbox");
                assertThat(Duration.between(otherStart, Instant.now())).as("another mailbox's budget is its own")
                        .isLessThan(Duration.ofMillis(500));
                assertThat(waited.get()).isEqualTo(graph.folderId(busy, "inbox"));
            }
            assertThat(Duration.between(start, Instant.now())).isBetween(Duration.ofMillis(900), Duration.ofSeconds(4));
            assertThat(graph.budgetRefusals() - refusedBefore).as("refused once, then waited, not hammered")
                    .isBetween(1L, 2L);
        } finally {
            graph.mailboxBudget(FakeGraph.MAILBOX_REQUESTS, FakeGraph.MAILBOX_WINDOW);
        }
    }

    private static byte[] largeMessage(byte[] image, byte[] document, byte[] archive) throws Exception {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties())) {
            @Override
            protected void updateMessageID() throws jakarta.mail.MessagingException {
                setHeader("Message-ID", "<large-1@contoso.example>");
            }
        };
        message.setFrom("anna@contoso.example");
        message.setRecipients(RecipientType.TO, "bob@fabrikam.example");
        message.setRecipients(RecipientType.BCC, "audit@contoso.example");
        message.setSubject("Quarterly figures");
        MimeMultipart related = new MimeMultipart("related");
        MimeBodyPart html = new MimeBodyPart();
        html.setText("<p>See the figures</p><img src=\"cid:logo@contoso.example\">", "UTF-8", "html");
        related.addBodyPart(html);
        MimeBodyPart logo = new MimeBodyPart();
        logo.setContent(image, "image/png");
        logo.setContentID("<logo@contoso.example>");
        logo.setDisposition(jakarta.mail.Part.INLINE);
        logo.setFileName("logo.png");
        related.addBodyPart(logo);
        MimeBodyPart body = new MimeBodyPart();
        body.setContent(related);
        MimeMultipart mixed = new MimeMultipart("mixed");
        mixed.addBodyPart(body);
        for (var file : Map.of("report.pdf", document, "archive.zip", archive).entrySet()) {
            MimeBodyPart part = new MimeBodyPart();
            part.setDataHandler(new jakarta.activation.DataHandler(
                    new jakarta.mail.util.ByteArrayDataSource(file.getValue(), "application/octet-stream")));
            part.setFileName(file.getKey());
            mixed.addBodyPart(part);
        }
        message.setContent(mixed);
        message.saveChanges();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }

    private static MimeMessage parse(byte[] mime) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new java.io.ByteArrayInputStream(mime));
    }

    /** Every part with a file name, anywhere in the message, by name. */
    private static Map<String, byte[]> attachments(jakarta.mail.Part part) throws Exception {
        Map<String, byte[]> files = new HashMap<>();
        if (part.getContent() instanceof jakarta.mail.Multipart multipart) {
            for (int i = 0; i < multipart.getCount(); i++) {
                files.putAll(attachments(multipart.getBodyPart(i)));
            }
        } else if (part.getFileName() != null) {
            files.put(part.getFileName(), part.getInputStream().readAllBytes());
        }
        return files;
    }

    private static byte[] bytes(int length, int seed) {
        byte[] bytes = new byte[length];
        new java.util.Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void manyMailboxesCallingAtOnceStartNoPlatformThreads() throws Exception {
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            users.add(newUser());
        }
        Set<String> before = httpClientWorkers();

        try (ExecutorService watchers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (String user : users) {
                watchers.submit(() -> mailbox(user).wellKnownFolderId("inbox"));
            }
        }

        assertThat(httpClientWorkers()).isSubsetOf(before);
    }

    /** The platform threads of HttpClients' default executors, which outlive a call by a minute. */
    private static Set<String> httpClientWorkers() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> name.matches("HttpClient-\\d+-Worker-\\d+")).collect(Collectors.toSet());
    }

    private static String deltaLink(GraphMailbox mailbox, String folder) throws GraphException {
        GraphMailbox.DeltaPage page = mailbox.delta(folder, null, 50);
        while (page.more()) {
            page = mailbox.delta(folder, page.link(), 50);
        }
        return page.link();
    }

    private static String newUser() {
        String user = "history-" + UUID.randomUUID() + "@" + DOMAIN;
        graph.addUser(TENANT, user);
        return user;
    }

    private static GraphMailbox mailbox(String user) throws GraphException {
        SynchronizationCredentials credentials = CreatioJson.mapper().readValue(CreatioRequests.exchangeMailbox(
                UUID.randomUUID(), "https://outlook.office365.com/EWS/Exchange.asmx", user, "unused",
                "http://127.0.0.1:9/0/ServiceModel/ExchangeListenerService.svc/ProcessFullEmail", List.of(), 0),
                SynchronizationCredentials.class);
        return connector.connect(credentials);
    }

    private static byte[] mime(String subject) {
        return ("Subject: " + subject + "\r\nMessage-ID: <" + UUID.randomUUID() + "@test>\r\n"
                + "From: bob@contoso.example\r\n\r\nHello\r\n").getBytes(StandardCharsets.UTF_8);
    }
}
