package org.emaillistener.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import org.emaillistener.common.testing.CreatioRequests;
import org.emaillistener.common.testing.CreatioStandIn;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

import jakarta.activation.DataHandler;
import jakarta.mail.Flags;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import tools.jackson.databind.JsonNode;

/**
 * Creatio subscribes a mailbox in its own dialect; mail sent over SMTP to GreenMail reaches the
 * Creatio stand-in through IDLE, the sync job, the secondary's fetch and ProcessFullEmail.
 */
@SpringBootTest(classes = StandaloneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "listener.jobs.retry-initial-delay=200ms", "listener.jobs.retry-max-delay=1s" })
class SubscriptionEndToEndTest extends EndToEndTest {

    static final byte[] PNG = Base64.getDecoder().decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");
    /** A PDF's header with its binary marker line, so that the part travels Base64-encoded like real PDFs. */
    static final byte[] PDF = "%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
            .getBytes(StandardCharsets.ISO_8859_1);

    static final String PROBE = "probe";


    @Test
    void theOperatorConsoleIsOffWithoutAKey() {
        var page = management().get("/operator/", "X-Api-Key", "");

        assertThat(page.statusCode()).isEqualTo(404);
        assertThat(page.body()).contains("listener.operator.api-key");
        assertThat(management().get("/operator/overview", "Authorization", "Bearer ").statusCode()).isEqualTo(404);
    }

    @Test
    void deliversEachNewEmailOnceWithCreatiosFields() throws Exception {
        String user = "report-" + UUID.randomUUID() + "@example.com";
        UUID mailbox = subscribe(user);

        mail.send(reportWithInlineImageAndPdf(user));
        mail.send(withoutMessageId(user, "No id here"));

        List<JsonNode> emails = awaitEmailsFor(user, 2);
        JsonNode report = bySubject(emails, "Quarterly report");
        assertThat(report.get("Sender").asString()).isEqualTo("Alice Example <alice@example.com>");
        assertThat(report.get("Recepients").get(0).asString()).isEqualTo(user);
        assertThat(report.get("CopyRecepients").get(0).asString()).isEqualTo("carol@example.com");
        assertThat(report.get("BlindCopyRecepients").isArray()).isTrue();
        assertThat(report.get("SendDateTimeStamp").asLong()).isEqualTo(638369856000000000L);
        assertThat(report.get("IsHtmlBody").asBoolean()).isTrue();
        assertThat(report.get("Body").asString()).contains("<img src=\"cid:logo@example.com\">");
        assertThat(report.get("Importance").asInt()).isEqualTo(2);
        assertThat(report.get("MessageId").asString()).isEqualTo("<report-1@example.com>");
        assertThat(report.get("InReplyTo").asString()).isEqualTo("<earlier@example.com>");
        assertThat(report.get("Headers").valueStream().map(JsonNode::asString))
                .contains("Subject=Quarterly report", "X-Crm-Case=42");
        JsonNode logo = attachment(report, "logo.png");
        assertThat(logo.get("IsInline").asBoolean()).isTrue();
        assertThat(logo.get("Id").asString()).isEqualTo("logo@example.com");
        assertThat(Base64.getDecoder().decode(logo.get("Base64Data").asString())).isEqualTo(PNG);
        JsonNode pdf = attachment(report, "report.pdf");
        assertThat(pdf.get("IsInline").asBoolean()).isFalse();
        assertThat(Base64.getDecoder().decode(pdf.get("Base64Data").asString())).isEqualTo(PDF);

        JsonNode anonymous = bySubject(emails, "No id here");
        assertThat(anonymous.get("MessageId").asString()).isNotBlank().startsWith("<").endsWith(">");
        assertThat(anonymous.get("IsHtmlBody").asBoolean()).isFalse();

        JsonNode subscriptionInfo = creatio.calls("ProcessFullEmail").getLast().body().get("SubscriptionInfo");
        assertThat(subscriptionInfo.get("MailboxId").asString()).isEqualTo(mailbox.toString());
        assertThat(subscriptionInfo.get("SysAdminUnit").asString()).isEqualTo("Supervisor");
        assertThat(subscriptionInfo.get("WorkspaceName").asString()).isEqualTo("Default");
        assertDeliveredOnce(user, 2);
    }

    @Test
    void retriesAnEmailThatCreatioAnsweredWith400() throws Exception {
        String user = "retry-" + UUID.randomUUID() + "@example.com";
        subscribe(user);
        awaitListening(user);
        creatio.answerNext("ProcessFullEmail", 400);

        mail.send(plain(user, "Retried"));

        awaitEmailsFor(user, 1);
        assertThat(creatio.calls("ProcessFullEmail").stream().filter(call -> call.status() == 400)).isNotEmpty();
        assertDeliveredOnce(user, 1);
    }

    @Test
    void reportsAWrongPasswordToCreatioAndDoesNotClaimTheSubscriptionExists() throws Exception {
        String user = "wrong-" + UUID.randomUUID() + "@example.com";
        mail.addUser(user, "right");
        UUID mailbox = UUID.randomUUID();
        api().post("/api/listeners/create", CreatioRequests.array(CreatioRequests.imapMailbox(mailbox, "127.0.0.1",
                mail.imapPort(), user, "Hunter2", creatio.bpmEndpoint(), List.of())));

        await().atMost(Duration.ofSeconds(20)).until(() -> stateReports(mailbox).size() == 1);
        JsonNode report = stateReports(mailbox).getFirst();
        assertThat(report.get("Avaliable").asBoolean()).isFalse();
        assertThat(report.get("ExceptionClassName").asString()).endsWith("AuthenticationException");
        assertThat(report.get("ExceptionMessage").asString()).isNotBlank().doesNotContain("Hunter2");
        assertThat(report.get("Context").asString()).isEqualTo("{UserRequested:false,HasError:false}");
        assertThat(api().stateOf(mailbox.toString())).isEqualTo("closed");
    }

    @Test
    void asksCreatioForAFreshOAuthTokenAndResumesWithIt() throws Exception {
        String user = "oauth-" + UUID.randomUUID() + "@example.com";
        mail.addUser(user, "fresh-token");
        UUID mailbox = UUID.randomUUID();
        String expired = CreatioRequests.withOAuth(CreatioRequests.imapMailbox(mailbox, "127.0.0.1", mail.imapPort(),
                user, "unused", creatio.bpmEndpoint(), List.of()), "expired-token");
        // Creatio answers RefreshToken only after it called /update with a fresh token.
        creatio.onCall("RefreshToken", request -> {
            if (request.get("MailboxId").asString().equals(mailbox.toString())) {
                var update = api().post("/api/listeners/update",
                        CreatioRequests.array(expired.replace("expired-token", "fresh-token")));
                assertThat(update.statusCode()).isEqualTo(200);
            }
        });

        api().post("/api/listeners/create", CreatioRequests.array(expired));
        awaitListening(user);

        assertThat(creatio.calls("RefreshToken")).anyMatch(
                call -> call.body().get("MailboxId").asString().equals(mailbox.toString())
                        && call.body().get("BpmUserName").asString().equals("Supervisor"));
        assertThat(stateReports(mailbox)).isEmpty();
        assertThat(api().stateOf(mailbox.toString())).isEqualTo("exists");
    }

    @Test
    void marksDeliveredMailWithAKeywordWhenCreatioAsksForIt() throws Exception {
        String user = "mark-" + UUID.randomUUID() + "@example.com";
        var account = mail.greenMail().setUser(user, user, "secret");
        String body = CreatioRequests.imapMailbox(UUID.randomUUID(), "127.0.0.1", mail.imapPort(), user, "secret",
                creatio.bpmEndpoint(), List.of()).replace("MarkEmailsAsSynchronized:false", "MarkEmailsAsSynchronized:true");
        assertThat(api().post("/api/listeners/create", CreatioRequests.array(body)).statusCode()).isEqualTo(200);

        mail.send(plain(user, "Flag me"));

        awaitEmailsFor(user, 1);
        var inbox = mail.greenMail().getManagers().getImapHostManager().getInbox(account);
        await().atMost(Duration.ofSeconds(10)).until(() -> inbox.getMessages().getFirst().getFlags().contains("Creatio"));
        assertThat(inbox.getMessages().getFirst().getFlags().contains(Flags.Flag.SEEN)).isFalse();
    }

    @Test
    void answersClosedForMailboxesItDoesNotKnow() {
        UUID unknown = UUID.randomUUID();
        var response = api().post("/api/listeners/subscriptionsstate", CreatioRequests.ids(unknown));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"" + unknown + "\":{\"State\":\"closed\"}}");
    }

    @Test
    void stopsDeliveringAfterClose() throws Exception {
        String user = "closed-" + UUID.randomUUID() + "@example.com";
        UUID mailbox = subscribe(user);
        awaitListening(user);
        assertThat(api().stateOf(mailbox.toString())).isEqualTo("exists");

        assertThat(api().post("/api/listeners/close", CreatioRequests.ids(mailbox)).statusCode()).isEqualTo(200);
        mail.send(plain(user, "After close"));

        assertThat(api().stateOf(mailbox.toString())).isEqualTo("closed");
        Thread.sleep(3000);
        assertThat(emailsFor(user)).isEmpty();
    }

    @Test
    void exposesItsWorkAsPrometheusMetrics() throws Exception {
        String user = "metrics-" + UUID.randomUUID() + "@example.com";
        subscribe(user);
        awaitListening(user);

        var metrics = management().get("/actuator/prometheus");

        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("email_listener_subscriptions_active ",
                "email_listener_subscriptions_capacity ", "email_listener_mailboxes_registered ",
                "email_listener_mailboxes_in_error{kind=\"authentication\"}",
                "email_listener_creatio_responses_total{operation=\"ProcessFullEmail\",status=\"200\"}",
                "email_listener_delivery_latency_seconds_bucket");
    }

    @Test
    void answersTheServiceStatusEndpoints() {
        var exists = api().get("/api/listeners/exists");
        assertThat(exists.statusCode()).isEqualTo(200);
        assertThat(exists.body()).contains("\"ServiceStatus\":\"Started\"", "\"Version\":");
        assertThat(api().get("/api/listeners/status").statusCode()).isEqualTo(200);
    }

    /**
     * Issue 15: Creatio's documentation has admins end the callback URL in {@code /NewEmail}; the mail
     * still goes to {@code ProcessFullEmail} beside it, within the deadline.
     */
    @Test
    void deliversToProcessFullEmailBesideABpmEndpointThatEndsInNewEmail() throws Exception {
        String user = "legacy-" + UUID.randomUUID() + "@example.com";
        mail.addUser(user, "secret");
        String newEmail = creatio.bpmEndpoint().replace("/ProcessFullEmail", "/NewEmail");
        var created = api().post("/api/listeners/create", CreatioRequests.array(CreatioRequests.imapMailbox(
                UUID.randomUUID(), "127.0.0.1", mail.imapPort(), user, "secret", newEmail, List.of())));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        awaitListening(user);

        long sent = System.nanoTime();
        mail.send(plain(user, "Through the legacy address"));

        await().atMost(Duration.ofSeconds(5)).until(() -> emailsFor(user).stream()
                .anyMatch(email -> email.get("Subject").asString().equals("Through the legacy address")));
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(5));
        assertThat(creatio.operations()).doesNotContain("NewEmail");
    }

    private UUID subscribe(String user) {
        mail.addUser(user, "secret");
        return subscribe(user, "secret", List.of());
    }

    /** A probe message: once it is delivered, the subscription is certainly listening. */
    private void awaitListening(String user) throws MessagingException {
        mail.send(plain(user, PROBE));
        await().atMost(Duration.ofSeconds(20)).until(() -> creatio.acceptedEmails().stream()
                .anyMatch(email -> email.get("Subject").asString().equals(PROBE) && sentTo(email, user)));
    }

    private static List<JsonNode> stateReports(UUID mailbox) {
        return creatio.calls("ProcessMailboxState").stream().map(CreatioStandIn.Call::body)
                .filter(body -> body.get("MailboxId").asString().equals(mailbox.toString())).toList();
    }

    static List<JsonNode> emailsFor(String user) {
        return creatio.acceptedEmails().stream()
                .filter(email -> sentTo(email, user))
                .filter(email -> !email.get("Subject").asString().equals(PROBE))
                .toList();
    }

    private static boolean sentTo(JsonNode email, String user) {
        return email.get("Recepients").valueStream().anyMatch(to -> to.asString().equals(user));
    }

    static List<JsonNode> awaitEmailsFor(String user, int count) {
        await().atMost(Duration.ofSeconds(30)).until(() -> emailsFor(user).size() >= count);
        return emailsFor(user);
    }

    /** Nothing more arrives for a while after the expected emails: each was delivered once. */
    static void assertDeliveredOnce(String user, int count) throws InterruptedException {
        Thread.sleep(2000);
        assertThat(emailsFor(user)).hasSize(count);
        assertThat(emailsFor(user).stream().map(email -> email.get("MessageId").asString()).distinct()).hasSize(count);
    }

    private static JsonNode bySubject(List<JsonNode> emails, String subject) {
        return emails.stream().filter(email -> email.get("Subject").asString().equals(subject)).findFirst()
                .orElseThrow(() -> new AssertionError("no email with subject " + subject));
    }

    private static JsonNode attachment(JsonNode email, String name) {
        return email.get("Attachments").valueStream().filter(a -> a.get("Name").asString().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no attachment " + name + " in " + email.get("Attachments")));
    }

    private static MimeMessage withoutMessageId(String to, String subject) throws MessagingException {
        MimeMessage message = new MimeMessage(mail.smtpSession()) {
            @Override
            protected void updateMessageID() throws MessagingException {
                removeHeader("Message-ID");
            }
        };
        message.setFrom(new InternetAddress("bob@example.com"));
        message.setRecipients(Message.RecipientType.TO, to);
        message.setSubject(subject);
        message.setText("Nobody gave me a Message-ID");
        return message;
    }

    private static MimeMessage reportWithInlineImageAndPdf(String to) throws Exception {
        MimeMessage message = new MimeMessage(mail.smtpSession()) {
            @Override
            protected void updateMessageID() throws MessagingException {
                setHeader("Message-ID", "<report-1@example.com>");
            }
        };
        message.setFrom(new InternetAddress("alice@example.com", "Alice Example"));
        message.setRecipients(Message.RecipientType.TO, to);
        message.setRecipients(Message.RecipientType.CC, "carol@example.com");
        message.setSubject("Quarterly report");
        message.setSentDate(Date.from(Instant.parse("2023-12-01T00:00:00Z")));
        message.setHeader("Importance", "high");
        message.setHeader("In-Reply-To", "<earlier@example.com>");
        message.setHeader("X-Crm-Case", "42");

        MimeBodyPart html = new MimeBodyPart();
        html.setText("<p>See the logo: <img src=\"cid:logo@example.com\"></p>", "UTF-8", "html");
        MimeBodyPart logo = new MimeBodyPart();
        logo.setDataHandler(new DataHandler(new ByteArrayDataSource(PNG, "image/png")));
        logo.setFileName("logo.png");
        logo.setContentID("<logo@example.com>");
        logo.setDisposition(Part.INLINE);
        MimeMultipart related = new MimeMultipart("related", html, logo);
        MimeBodyPart relatedPart = new MimeBodyPart();
        relatedPart.setContent(related);
        MimeBodyPart pdf = new MimeBodyPart();
        pdf.setDataHandler(new DataHandler(new ByteArrayDataSource(PDF, "application/pdf")));
        pdf.setFileName("report.pdf");
        pdf.setDisposition(Part.ATTACHMENT);
        message.setContent(new MimeMultipart("mixed", relatedPart, pdf));
        return message;
    }
}
