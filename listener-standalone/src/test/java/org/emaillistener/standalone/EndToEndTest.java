package org.emaillistener.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import org.emaillistener.common.testing.CreatioRequests;
import org.emaillistener.common.testing.CreatioStandIn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/**
 * The peers of an end-to-end test, real and on loopback: GreenMail (SMTP + IMAP) and a Creatio
 * stand-in, started once per test class around the listener under test.
 */
abstract class EndToEndTest {

    static MailServer mail;
    static CreatioStandIn creatio;

    @LocalServerPort
    int port;

    /** Health, metrics and log levels: on their own port, not on Creatio's. */
    @LocalManagementPort
    int managementPort;

    @BeforeAll
    static void startPeers() throws Exception {
        mail = new MailServer();
        creatio = new CreatioStandIn();
    }

    @AfterAll
    static void stopPeers() {
        mail.close();
        creatio.close();
    }

    /** Every callback of the test was one Creatio reads as meant (the stand-in checks its contract). */
    @AfterEach
    void everyCallbackKeptCreatiosContract() {
        assertThat(creatio.contractViolations()).isEmpty();
    }

    ListenerApi api() {
        return new ListenerApi(port);
    }

    ListenerApi management() {
        return new ListenerApi(managementPort);
    }

    /** Registers an IMAP mailbox on the test's GreenMail the way Creatio does; returns its id. */
    UUID subscribe(String user, String password, List<String> folderIds) {
        UUID mailbox = UUID.randomUUID();
        var response = api().post("/api/listeners/create", CreatioRequests.array(CreatioRequests.imapMailbox(
                mailbox, "127.0.0.1", mail.imapPort(), user, password, creatio.bpmEndpoint(), folderIds)));
        if (response.statusCode() != 200) {
            throw new IllegalStateException("create answered " + response.statusCode() + ": " + response.body());
        }
        return mailbox;
    }

    static MimeMessage plain(String to, String subject) throws MessagingException {
        MimeMessage message = new MimeMessage(mail.smtpSession());
        message.setFrom(new InternetAddress("bob@example.com"));
        message.setRecipients(Message.RecipientType.TO, to);
        message.setSubject(subject);
        message.setText("Hello from " + subject);
        message.saveChanges();
        return message;
    }

    /**
     * The raw MIME of a plain email from Alice Example to {@code to} with this Message-ID: what a
     * test puts straight into a fake server's mailbox.
     */
    static byte[] mime(String to, String subject, String messageId) throws Exception {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties())) {
            @Override
            protected void updateMessageID() throws MessagingException {
                setHeader("Message-ID", messageId);
            }
        };
        message.setFrom(new InternetAddress("alice@example.com", "Alice Example"));
        message.setRecipients(Message.RecipientType.TO, to);
        message.setSubject(subject);
        message.setText("Hello from " + subject);
        message.saveChanges();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }
}
