package org.emaillistener.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import org.emaillistener.common.testing.TlsProxy;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

import com.icegreen.greenmail.imap.ImapHostManager;
import com.icegreen.greenmail.store.MailFolder;
import com.icegreen.greenmail.store.StoredMessage;
import com.icegreen.greenmail.user.GreenMailUser;

import jakarta.mail.Flags;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import tools.jackson.databind.node.ObjectNode;

/**
 * Creatio sends an email through {@code /apiv2/email/send}: it goes out over GreenMail's SMTP with
 * the MIME structure and headers Creatio's Email describes, a failure comes back as a reason in
 * words, and a copy lands in the registered mailbox's Sent folder. "localhost" plays a server whose
 * certificate the operator trusts and which files sent mail itself; "127.0.0.1" is neither.
 */
@SpringBootTest(classes = StandaloneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "listener.imap.ssl-trust=localhost", "listener.send.hosts-saving-sent-mail=localhost" })
class EmailSendEndToEndTest extends EndToEndTest {

    static final byte[] PNG = SubscriptionEndToEndTest.PNG;
    static final byte[] PDF = SubscriptionEndToEndTest.PDF;
    static final byte[] NOTES = "Prüfergebnisse: bestanden\n".getBytes(StandardCharsets.UTF_8);
    /** The account most tests send from; GreenMail checks SMTP logins. */
    static final String ME = "me@example.com";

    @BeforeEach
    void createTheSendingAccount() {
        mail.addUser(ME, "secret");
    }

    @Test
    void sendsAnHtmlEmailWithAnInlineImageAndAttachmentsAsCreatioDescribesIt() throws Exception {
        String to = unique("to");
        String cc = unique("cc");
        String bcc = unique("bcc");
        ObjectNode email = SendRequests.email("Alice Example <alice@example.com>", "Tom To <" + to + ">",
                "Quarterly report – Q3");
        email.put("IsHtmlBody", true);
        email.put("Body", "<p>Our logo:</p><img src=\"cid:logo@crm.example.com\">");
        email.putArray("CopyRecepients").add(cc);
        email.putArray("BlindCopyRecepients").add(bcc);
        email.putArray("Headers").add("X-Crm-Case=42").add("Content-Type=text/evil");
        email.put("Importance", 2);
        email.put("MessageId", "<activity-1@crm.example.com>");
        email.put("InReplyTo", "<earlier@example.com>");
        email.put("References", "<first@example.com> <earlier@example.com>");
        SendRequests.addAttachment(email, "logo@crm.example.com", "logo.png", base64(PNG), true);
        SendRequests.addAttachment(email, "", "report.pdf", base64(PDF), false);
        SendRequests.addAttachment(email, "", "Prüfbericht März.txt", base64(NOTES), false);

        HttpResponse<String> response = send(email, smtp("127.0.0.1", mail.smtpPort()));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
        MimeMessage received = awaitOne(to);
        assertThat(received.getSubject()).isEqualTo("Quarterly report – Q3");
        assertThat(received.getHeader("From", null)).isEqualTo("Alice Example <alice@example.com>");
        assertThat(received.getHeader("To", null)).isEqualTo("Tom To <" + to + ">");
        assertThat(received.getHeader("Cc", null)).isEqualTo(cc);
        assertThat(received.getHeader("Bcc")).isNull();
        assertThat(received.getHeader("Importance", null)).isEqualTo("high");
        assertThat(received.getHeader("X-Priority", null)).isEqualTo("1 (Highest)");
        assertThat(received.getHeader("X-Crm-Case", null)).isEqualTo("42");
        assertThat(received.getMessageID()).isEqualTo("<activity-1@crm.example.com>");
        assertThat(received.getHeader("In-Reply-To", null)).isEqualTo("<earlier@example.com>");
        assertThat(received.getHeader("References", null)).isEqualTo("<first@example.com> <earlier@example.com>");

        assertThat(received.getContentType()).startsWith("multipart/mixed");
        MimeMultipart mixed = (MimeMultipart) received.getContent();
        assertThat(mixed.getCount()).isEqualTo(3);
        MimeBodyPart relatedPart = (MimeBodyPart) mixed.getBodyPart(0);
        assertThat(relatedPart.getContentType()).startsWith("multipart/related");
        MimeMultipart related = (MimeMultipart) relatedPart.getContent();
        assertThat(related.getCount()).isEqualTo(2);
        assertThat(related.getBodyPart(0).getContentType()).isEqualToIgnoringCase("text/html; charset=UTF-8");
        assertThat(related.getBodyPart(0).getContent()).isEqualTo(email.get("Body").asString());
        MimeBodyPart logo = (MimeBodyPart) related.getBodyPart(1);
        assertThat(logo.getContentType()).startsWith("image/png");
        assertThat(logo.getContentID()).isEqualTo("<logo@crm.example.com>");
        assertThat(logo.getDisposition()).isEqualTo(Part.INLINE);
        assertThat(logo.getInputStream().readAllBytes()).isEqualTo(PNG);
        MimeBodyPart pdf = (MimeBodyPart) mixed.getBodyPart(1);
        assertThat(pdf.getDisposition()).isEqualTo(Part.ATTACHMENT);
        assertThat(pdf.getFileName()).isEqualTo("report.pdf");
        assertThat(pdf.getContentType()).startsWith("application/pdf");
        assertThat(pdf.getInputStream().readAllBytes()).isEqualTo(PDF);
        MimeBodyPart notes = (MimeBodyPart) mixed.getBodyPart(2);
        assertThat(notes.getFileName()).isEqualTo("Prüfbericht März.txt");
        assertThat(notes.getInputStream().readAllBytes()).isEqualTo(NOTES);

        assertThat(awaitOne(cc).getMessageID()).isEqualTo("<activity-1@crm.example.com>");
        MimeMessage blindCopy = awaitOne(bcc);
        assertThat(blindCopy.getMessageID()).isEqualTo("<activity-1@crm.example.com>");
        assertThat(blindCopy.getHeader("Bcc")).isNull();
    }

    @Test
    void answersARefusedLoginWithTheReasonAndNoSecret() {
        String user = unique("refused");
        mail.addUser(user, "the-right-password");
        ObjectNode credentials = SendRequests.smtp(UUID.randomUUID(), "127.0.0.1", mail.smtpPort(), user,
                "a-wrong-password");

        HttpResponse<String> response = send(SendRequests.email(user, unique("to"), "Refused"), credentials);

        assertFailure(response, "refused the login");
        assertThat(response.body()).contains(user).doesNotContain("a-wrong-password");
    }

    @Test
    void answersAServerThatCannotBeReachedWithTheReason() {
        HttpResponse<String> response = send(SendRequests.email(ME, unique("to"), "Unreachable"),
                smtp("127.0.0.1", closedPort()));

        assertFailure(response, "cannot be reached");
        assertThat(response.body()).contains("127.0.0.1:").doesNotContain("secret");
    }

    @Test
    void answersAnUnknownHostWithTheReason() {
        HttpResponse<String> response = send(SendRequests.email(ME, unique("to"), "Unknown host"),
                smtp("no-such-host.invalid", 587));

        assertFailure(response, "no-such-host.invalid:587 cannot be reached (unknown host)");
    }

    @Test
    void answersAnAddressThatIsNoAddressWithTheReason() {
        HttpResponse<String> response = send(SendRequests.email(ME, "john@", "Typo"),
                smtp("127.0.0.1", mail.smtpPort()));

        assertFailure(response, "\"john@\" (To) is not a valid e-mail address");
    }

    @Test
    void refusesAnSmtpCertificateItCannotVerify() throws Exception {
        try (TlsProxy tls = new TlsProxy(mail.smtpPort())) {
            HttpResponse<String> response = send(SendRequests.email(ME, unique("to"), "Unverified"),
                    overSsl(smtp("127.0.0.1", tls.port())));

            assertFailure(response, "secure connection");
        }
    }

    @Test
    void trustsAnSmtpCertificateTheOperatorListed() throws Exception {
        String to = unique("tls");
        try (TlsProxy tls = new TlsProxy(mail.smtpPort())) {
            HttpResponse<String> response = send(SendRequests.email(ME, to, "Over TLS"),
                    overSsl(smtp("localhost", tls.port())));

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEmpty();
        }
        assertThat(awaitOne(to).getSubject()).isEqualTo("Over TLS");
    }

    @Test
    void keepsACopyInTheRegisteredMailboxsSentFolder() throws Exception {
        String user = unique("sender");
        mail.addUser(user, "secret");
        MailFolder sent = createFolder(user, "Sent");
        UUID mailbox = subscribe(user, "secret", List.of("INBOX"));
        ObjectNode email = SendRequests.email(user, unique("to"), "Filed in Sent");
        email.putArray("BlindCopyRecepients").add(unique("bcc"));

        HttpResponse<String> response = send(email,
                SendRequests.smtp(mailbox, "127.0.0.1", mail.smtpPort(), user, "secret"));

        assertThat(response.body()).isEmpty();
        StoredMessage copy = awaitOneIn(sent);
        assertThat(copy.getMimeMessage().getSubject()).isEqualTo("Filed in Sent");
        assertThat(copy.getMimeMessage().getMessageID()).endsWith("@" + user.substring(user.indexOf('@') + 1) + ">");
        assertThat(copy.getFlags().contains(Flags.Flag.SEEN)).isTrue();
    }

    @Test
    void findsTheMailboxByItsAddressWhenTheSendRequestHasAnotherId() throws Exception {
        String user = unique("by-address");
        mail.addUser(user, "secret");
        MailFolder sent = createFolder(user, "Sent Items");
        subscribe(user, "secret", List.of("INBOX"));
        ObjectNode credentials = SendRequests.smtp(UUID.randomUUID(), "127.0.0.1", mail.smtpPort(), user, "secret");
        credentials.put("SenderEmailAddress", user.toUpperCase());

        send(SendRequests.email(user, unique("to"), "Found by address"), credentials);

        assertThat(awaitOneIn(sent).getMimeMessage().getSubject()).isEqualTo("Found by address");
    }

    @Test
    void keepsNoForgedCopyInAMailboxTheRequestDoesNotProveToOwn() throws Exception {
        String victim = unique("victim");
        mail.addUser(victim, "victims-secret");
        MailFolder sent = createFolder(victim, "Sent");
        UUID mailbox = subscribe(victim, "victims-secret", List.of("INBOX"));
        // A stranger's own SMTP account, naming the victim as sender, by address and by id.
        String stranger = unique("stranger");
        mail.addUser(stranger, "strangers-secret");
        ObjectNode byAddress = SendRequests.smtp(UUID.randomUUID(), "127.0.0.1", mail.smtpPort(), stranger,
                "strangers-secret");
        byAddress.put("SenderEmailAddress", victim);
        ObjectNode byId = SendRequests.smtp(mailbox, "127.0.0.1", mail.smtpPort(), stranger, "strangers-secret");
        byId.put("SenderEmailAddress", victim);

        send(SendRequests.email(victim, unique("to"), "Forged by address"), byAddress);
        send(SendRequests.email(victim, unique("to"), "Forged by id"), byId);
        send(SendRequests.email(victim, unique("to"), "Sent by the owner"),
                SendRequests.smtp(mailbox, "127.0.0.1", mail.smtpPort(), victim, "victims-secret"));

        assertThat(awaitOneIn(sent).getMimeMessage().getSubject()).isEqualTo("Sent by the owner");
        Thread.sleep(1000);
        assertThat(sent.getMessageCount()).isEqualTo(1);
    }

    @Test
    void keepsNoCopyWhenTheServerFilesSentMailItself() throws Exception {
        String user = unique("self-filing");
        mail.addUser(user, "secret");
        MailFolder sent = createFolder(user, "Sent");
        UUID mailbox = subscribe(user, "secret", List.of("INBOX"));

        send(SendRequests.email(user, unique("to"), "Filed by the server"),
                SendRequests.smtp(mailbox, "localhost", mail.smtpPort(), user, "secret"));
        send(SendRequests.email(user, unique("to"), "Filed by the listener"),
                SendRequests.smtp(mailbox, "127.0.0.1", mail.smtpPort(), user, "secret"));

        assertThat(awaitOneIn(sent).getMimeMessage().getSubject()).isEqualTo("Filed by the listener");
        Thread.sleep(500);
        assertThat(sent.getMessageCount()).isEqualTo(1);
    }

    private HttpResponse<String> send(ObjectNode email, ObjectNode credentials) {
        return api().post("/apiv2/email/send", SendRequests.body(email, credentials));
    }

    private static ObjectNode smtp(String host, int port) {
        return SendRequests.smtp(UUID.randomUUID(), host, port, ME, "secret");
    }

    private static ObjectNode overSsl(ObjectNode credentials) {
        credentials.put("UseSsl", true);
        credentials.put("SecureOption", 2);
        return credentials;
    }

    private static void assertFailure(HttpResponse<String> response, String reason) {
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain"));
        assertThat(response.body()).startsWith("The email was not sent").contains(reason);
    }

    private static MimeMessage awaitOne(String address) {
        await().atMost(Duration.ofSeconds(10)).until(() -> inbox(address).size() == 1);
        return inbox(address).getFirst().getMimeMessage();
    }

    private static StoredMessage awaitOneIn(MailFolder folder) {
        await().atMost(Duration.ofSeconds(10)).until(() -> folder.getMessageCount() == 1);
        return folder.getMessages().getFirst();
    }

    private static List<StoredMessage> inbox(String address) {
        GreenMailUser user = mail.greenMail().getUserManager().getUserByEmail(address);
        if (user == null) {
            return List.of();
        }
        try {
            return imapHost().getInbox(user).getMessages();
        } catch (Exception e) {
            return List.of();
        }
    }

    private static MailFolder createFolder(String address, String name) throws Exception {
        return imapHost().createMailbox(mail.greenMail().getUserManager().getUserByEmail(address), name);
    }

    private static ImapHostManager imapHost() {
        return mail.greenMail().getManagers().getImapHostManager();
    }

    private static String unique(String name) {
        return name + "-" + UUID.randomUUID() + "@example.com";
    }

    private static String base64(byte[] data) {
        return Base64.getEncoder().encodeToString(data);
    }

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
