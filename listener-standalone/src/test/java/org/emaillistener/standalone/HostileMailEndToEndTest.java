package org.emaillistener.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.emaillistener.common.testing.CreatioStandIn;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

import com.icegreen.greenmail.store.MailFolder;

import jakarta.mail.Flags;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import tools.jackson.databind.JsonNode;

/**
 * Mail that breaks the rules, stored straight into the mailbox as raw bytes: each one reaches
 * Creatio once, as well as it can be read, and a normal message behind them still arrives.
 */
@SpringBootTest(classes = StandaloneApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = { "listener.jobs.retry-initial-delay=200ms", "listener.jobs.retry-max-delay=1s",
                "listener.sync.max-attachment-size=64MB" })
class HostileMailEndToEndTest extends EndToEndTest {

    private static final int LARGE_ATTACHMENT = 50 * 1024 * 1024;

    @Test
    void deliversEveryHostileMessageOnceAndTheMailBehindThem() throws Exception {
        String user = "hostile-" + UUID.randomUUID() + "@example.com";
        mail.addUser(user, "secret");
        UUID mailbox = subscribe(user, "secret", List.of());
        mail.send(plain(user, "probe"));
        await().atMost(Duration.ofSeconds(20)).until(() -> emailsOf(mailbox).size() == 1);

        List<byte[]> corpus = corpus(user);
        for (byte[] raw : corpus) {
            append(user, raw);
        }
        mail.send(plain(user, "After the hostile ones"));

        int expected = 1 + corpus.size() + 1;
        await().atMost(Duration.ofSeconds(120)).until(() -> emailsOf(mailbox).size() >= expected);
        Thread.sleep(2000);
        List<JsonNode> emails = emailsOf(mailbox);
        assertThat(emails).hasSize(expected);
        assertThat(emails.stream().map(email -> email.get("MessageId").asString()).distinct()).hasSize(expected);
        assertThat(emails.getLast().get("Subject").asString()).isEqualTo("After the hostile ones");

        assertThat(bySubject(emails, "broken boundary").get("Body").asString()).contains("text behind a boundary");
        assertThat(bySubject(emails, "wrong charset").get("Body").asString()).contains("caf");
        assertThat(bySubject(emails, "many recipients").get("Recepients")).hasSize(10_000);
        assertThat(bySubject(emails, "deep").get("Attachments")).hasSize(1);
        assertThat(bySubject(emails, "traversal").get("Attachments").get(0).get("Name").asString())
                .isEqualTo("passwd");
        JsonNode large = bySubject(emails, "large").get("Attachments");
        assertThat(large).hasSize(1);
        assertThat(Base64.getDecoder().decode(large.get(0).get("Base64Data").asString())).hasSize(LARGE_ATTACHMENT);
        assertThat(emails).anyMatch(email -> email.get("Subject").asString().contains("Grüße"));
        assertThat(api().get("/api/listeners/exists").statusCode()).isEqualTo(200);
        assertThat(api().stateOf(mailbox.toString())).isEqualTo("exists");
    }

    private static List<byte[]> corpus(String user) {
        List<byte[]> corpus = new ArrayList<>();
        corpus.add(ascii("""
                To: %s
                Subject: broken boundary
                Content-Type: multipart/mixed; boundary="declared"

                --other
                Content-Type: text/plain

                text behind a boundary that was never declared
                --other
                """.formatted(user)));
        ByteArrayOutputStream wrongCharset = new ByteArrayOutputStream();
        wrongCharset.writeBytes(ascii("To: %s\nSubject: wrong charset\nContent-Type: text/plain; charset=utf-8\n\n"
                .formatted(user)));
        wrongCharset.writeBytes("café in Latin-1 \u00ff\r\n".getBytes(StandardCharsets.ISO_8859_1));
        corpus.add(wrongCharset.toByteArray());
        corpus.add(ascii("To: %s\nSubject: unknown charset\nContent-Type: text/plain; charset=x-no-such-charset\n\nhi\n"
                .formatted(user)));
        ByteArrayOutputStream eightBit = new ByteArrayOutputStream();
        eightBit.writeBytes(ascii("To: %s\nSubject: ".formatted(user)));
        eightBit.writeBytes("Grüße 8-bit\r\nFrom: Zoë ".getBytes(StandardCharsets.UTF_8));
        eightBit.writeBytes("Müller <z@example.com>\r\n\r\nbody\r\n".getBytes(StandardCharsets.ISO_8859_1));
        corpus.add(eightBit.toByteArray());
        corpus.add(ascii("To: %s\nSubject: %s\nFrom: =?utf-8?B?!!!?= <=?x?Q?a?=@example.com>\n\nwords\n".formatted(user,
                IntStream.range(0, 2000).mapToObj(i -> "=?utf-8?Q?" + i + "=ZZ?==?bogus?X?abc?=")
                        .collect(Collectors.joining(" ")))));
        corpus.add(ascii("To: %s\nSubject: many recipients\n\nhello all\n".formatted(IntStream.range(0, 10_000)
                .mapToObj(i -> i == 0 ? user : "r" + i + "@example.com").collect(Collectors.joining(",\n ")))));
        corpus.add(nested(user, 100));
        corpus.add(new byte[0]);
        corpus.add(ascii("""
                To: %s
                Subject: traversal
                Content-Type: multipart/mixed; boundary="b"

                --b
                Content-Type: text/plain

                see file
                --b
                Content-Type: application/octet-stream
                Content-Disposition: attachment; filename="../../../etc/passwd"

                root:x:0:0
                --b--
                """.formatted(user)));
        corpus.add(large(user));
        return corpus;
    }

    private static byte[] nested(String user, int depth) {
        StringBuilder message = new StringBuilder("To: " + user + "\nSubject: deep\n");
        for (int level = 0; level < depth; level++) {
            message.append("Content-Type: multipart/mixed; boundary=\"b").append(level).append("\"\n\n--b")
                    .append(level).append('\n');
        }
        message.append("Content-Type: text/plain\n\ninnermost\n");
        for (int level = depth - 1; level >= 0; level--) {
            message.append("--b").append(level).append("--\n");
        }
        return ascii(message.toString());
    }

    private static byte[] large(String user) {
        byte[] content = new byte[LARGE_ATTACHMENT];
        new Random(7).nextBytes(content);
        ByteArrayOutputStream message = new ByteArrayOutputStream(LARGE_ATTACHMENT * 14 / 10);
        message.writeBytes(ascii("""
                To: %s
                Subject: large
                Content-Type: multipart/mixed; boundary="b"

                --b
                Content-Type: text/plain

                a large file
                --b
                Content-Type: application/octet-stream
                Content-Disposition: attachment; filename="large.bin"
                Content-Transfer-Encoding: base64

                """.formatted(user)));
        message.writeBytes(Base64.getMimeEncoder().encode(content));
        message.writeBytes(ascii("\n--b--\n"));
        return message.toByteArray();
    }

    private static byte[] ascii(String text) {
        return text.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static void append(String user, byte[] raw) throws Exception {
        var managers = mail.greenMail().getManagers();
        MailFolder inbox = managers.getImapHostManager().getInbox(managers.getUserManager().getUser(user));
        inbox.appendMessage(new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw)),
                new Flags(), new Date());
    }

    private static List<JsonNode> emailsOf(UUID mailbox) {
        List<JsonNode> emails = new ArrayList<>();
        for (CreatioStandIn.Call call : creatio.calls("ProcessFullEmail")) {
            if (call.status() / 100 == 2
                    && call.body().get("SubscriptionInfo").get("MailboxId").asString().equals(mailbox.toString())) {
                call.body().get("Emails").forEach(emails::add);
            }
        }
        return emails;
    }

    private static JsonNode bySubject(List<JsonNode> emails, String subject) {
        return emails.stream().filter(email -> email.get("Subject").asString().equals(subject)).findFirst()
                .orElseThrow(() -> new AssertionError("no email with subject " + subject));
    }
}
